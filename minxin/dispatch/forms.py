"""Forms only parse and type the input; the rules live in the services."""

from typing import Final

from django import forms

from minxin.cases.models import AppealKind, Channel
from minxin.cases.selectors import QUEUE_SORTS, AppealFilters
from minxin.core.errors import ValidationFailed
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category
from minxin.directory.selectors import areas_to_filter, units_active


class DispatchForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    lead_unit = forms.ModelChoiceField(queryset=units_active())
    assist_units = forms.ModelMultipleChoiceField(queryset=units_active(), required=False)
    reason = forms.CharField(required=False, max_length=2000)


class QueueFilterForm(forms.Form):
    """The screening queue's filters and order (甄别派单); `QUERY_KEYS` are what a saved filter
    keeps of the page's query string."""

    tab = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    q = forms.CharField(
        label="编号/关键词",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "受理编号，或标题、内容中的词"}
        ),
    )
    channel = forms.ChoiceField(
        label="渠道", required=False, choices=[("", "全部渠道"), *Channel.choices]
    )
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部类型"), *AppealKind.choices]
    )
    urgency = forms.ChoiceField(
        label="紧急程度", required=False, choices=[("", "全部"), *Urgency.choices]
    )
    category = forms.ModelChoiceField(
        label="分类",
        required=False,
        queryset=Category.objects.filter(level__lte=2),
        empty_label="全部分类",
    )
    region = forms.ModelChoiceField(
        label="区域", required=False, queryset=areas_to_filter(), empty_label="全部区域"
    )
    received_from = forms.DateField(
        label="受理起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label="受理止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label="排序", required=False, choices=QUEUE_SORTS)

    def clean_q(self) -> str:
        q = str(self.cleaned_data.get("q") or "")
        try:
            AppealFilters(q=q).search  # noqa: B018 - parsed for its message
        except ValidationFailed as error:
            raise forms.ValidationError(error.message) from error
        return q

    def filters(self) -> AppealFilters:
        """The cleaned input as the list's filters (call after is_valid)."""
        data = self.cleaned_data
        return AppealFilters(
            q=data["q"] or "",
            channel=data["channel"] or "",
            kind=data["kind"] or "",
            urgency=data["urgency"] or "",
            category_id=data["category"].pk if data["category"] else None,
            region_id=data["region"].pk if data["region"] else None,
            received_from=data["received_from"],
            received_to=data["received_to"],
            sort=data["sort"] or "",
        )


QUERY_KEYS: Final = tuple(QueueFilterForm.base_fields)


class SavedFilterForm(forms.Form):
    name = forms.CharField(
        max_length=30,
        error_messages={"required": "请填写筛选名称", "max_length": "筛选名称不能超过30字"},
    )
    query = forms.CharField(required=False, max_length=2000)
