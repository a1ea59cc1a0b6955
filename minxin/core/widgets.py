"""Form widgets rendered in Python where Django's per-option templates cost too much."""

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """A `<select>` with the markup of Django's, built in Python. Django renders every option
    through two templates: the staff lists' filters hold some 230 options (categories, units,
    areas, statuses), and rendering them was 20 of a list page's 70 ms (bench/README.md, "the
    filter form"); built here, about 1 ms."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            inner = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, inner)
                if group_name
                else inner
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(groups)),  # noqa: S308 - each piece built by format_html  # nosec B308 B703
        )
