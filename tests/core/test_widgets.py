"""QuickSelect renders the markup of Django's Select (only faster)."""

import re

from django import forms

from minxin.core.widgets import QuickSelect

CHOICES = [
    ("", "全部"),
    ("a", "甲 <b>"),
    ("区县", [("x", "东区"), ("y", "西区 & 南区")]),
]


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def _both(value: str | None, attrs: dict[str, object] | None = None) -> tuple[str, str]:
    quick = QuickSelect(choices=CHOICES, attrs=attrs)
    plain = forms.Select(choices=CHOICES, attrs=attrs)
    return str(quick.render("area", value)), str(plain.render("area", value))


def test_the_markup_is_djangos_with_groups_selection_and_escaping():
    for value in (None, "", "a", "y"):
        quick, plain = _both(value, {"class": "f", "data-x": 'a"b', "required": True})
        assert _squeezed(quick) == _squeezed(plain)
    quick, _ = _both("y")
    assert '<optgroup label="区县">' in quick
    assert '<option value="y" selected>西区 &amp; 南区</option>' in quick
    assert "甲 &lt;b&gt;" in quick


def test_a_form_field_renders_through_it():
    class Filter(forms.Form):
        area = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    html = str(Filter({"area": "x"})["area"])
    assert html.startswith('<select name="area" id="id_area">')
    assert '<option value="x" selected>东区</option>' in html
