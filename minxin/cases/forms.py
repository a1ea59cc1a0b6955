"""Forms only parse and type the input; the rules live in the services."""

from typing import Any

from django import forms

from minxin.cases.models import CONTENT_MAX, TITLE_MAX, AppealKind, Channel
from minxin.cases.photos import photo_limits
from minxin.cases.selectors import NEAR_FILTER, OPEN_FILTER, SORTS, AppealFilters
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import ValidationFailed
from minxin.core.widgets import QuickSelect
from minxin.directory.models import Category, Jurisdiction
from minxin.directory.selectors import areas_to_filter, units_active


class AppealSearchFields(forms.Form):
    """The filters the appeal lists share (the appeals, the screening queue): the words or the
    number, the channel, the category and the area, the days received."""

    q = forms.CharField(
        label="编号/关键词",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "受理编号，或标题、内容中的词"}
        ),
    )
    channel = forms.ChoiceField(
        label="渠道",
        required=False,
        choices=[("", "全部渠道"), *Channel.choices],
        widget=QuickSelect,
    )
    category = forms.ModelChoiceField(
        label="分类",
        required=False,
        queryset=Category.objects.filter(level__lte=2),
        empty_label="全部分类",
        widget=QuickSelect,
    )
    region = forms.ModelChoiceField(
        label="区域",
        required=False,
        queryset=areas_to_filter(),
        empty_label="全部区域",
        widget=QuickSelect,
    )
    received_from = forms.DateField(
        label="受理起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label="受理止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, district: int | None = None, **kwargs: Any) -> None:
        """`district`: the viewer's (a district's staff choose among its areas and units)."""
        super().__init__(*args, **kwargs)
        if district is not None:
            region = self.fields["region"]
            assert isinstance(region, forms.ModelChoiceField)
            region.queryset = areas_to_filter(district=district)
            unit = self.fields.get("unit")
            if isinstance(unit, forms.ModelChoiceField):
                unit.queryset = units_active(district=district)

    def clean_q(self) -> str:
        q = str(self.cleaned_data.get("q") or "")
        try:
            AppealFilters(q=q).search  # noqa: B018 - parsed for its message
        except ValidationFailed as error:
            raise forms.ValidationError(error.message) from error
        return q


class AppealFilterForm(AppealSearchFields):
    # Django puts the shared fields first; these lead, the rest follow in their own order.
    field_order = ("q", "status", "unit", "category", "region", "channel", "overdue")
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[
            ("", "全部状态"),
            (OPEN_FILTER, "在办（全部）"),
            (NEAR_FILTER, "临期（在办）"),
            *AppealStatus.choices,
        ],
        widget=QuickSelect,
    )
    unit = forms.ModelChoiceField(
        label="主办单位",
        required=False,
        queryset=units_active(),
        empty_label="全部单位",
        widget=QuickSelect,
    )
    overdue = forms.BooleanField(label="仅看超期", required=False)
    sort = forms.ChoiceField(label="排序", required=False, choices=SORTS, widget=QuickSelect)

    def __init__(self, *args: Any, district: int | None = None, **kwargs: Any) -> None:
        """The city's staff (no `district`) of an install of several districts may pick one
        (辖区, as on the dashboard); a district's staff are not offered it (their own)."""
        super().__init__(*args, district=district, **kwargs)
        if district is None:
            districts = list(Jurisdiction.objects.order_by("pk").values_list("pk", "name"))
            if len(districts) > 1:
                self.fields["jurisdiction"] = forms.TypedChoiceField(
                    label="辖区",
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[("", "全部辖区"), *districts],
                    widget=QuickSelect,
                )
                self.order_fields(("q", "status", "jurisdiction"))  # the rest as they were


class ActionForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    reason = forms.CharField(required=False, max_length=20000, strip=True)
    days = forms.IntegerField(required=False, min_value=1, max_value=60)
    approve = forms.ChoiceField(required=False, choices=[("yes", "yes"), ("no", "no")])
    into_tracking_number = forms.CharField(required=False, max_length=30)
    # 二级派单: the community or grid unit, and its deadline (a datetime-local input).
    sub_unit = forms.IntegerField(required=False, min_value=1)
    sub_due = forms.DateTimeField(
        required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
    )
    # 转办: the unit a handler suggests, the unit the dispatcher chooses (checked by the service).
    suggested_unit_id = forms.IntegerField(required=False, min_value=1)
    lead_unit_id = forms.IntegerField(required=False, min_value=1)


def appeal_form_limits() -> dict[str, Any]:
    """What a citizen's appeal form tells its reader: the kinds, the lengths, the photos."""
    return {
        "kinds": AppealKind.choices,
        "title_max": TITLE_MAX,
        "content_max": CONTENT_MAX,
        **photo_limits(),
    }
