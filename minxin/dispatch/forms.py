"""Forms only parse and type the input; the rules live in the services."""

from typing import Final

from django import forms

from minxin.cases.forms import AppealSearchFields
from minxin.cases.models import AppealKind
from minxin.cases.selectors import QUEUE_SORTS, AppealFilters
from minxin.deadlines.models import Urgency
from minxin.directory.selectors import units_active


class DispatchForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    lead_unit = forms.ModelChoiceField(queryset=units_active())
    assist_units = forms.ModelMultipleChoiceField(queryset=units_active(), required=False)
    reason = forms.CharField(required=False, max_length=2000)


class QueueFilterForm(AppealSearchFields):
    """The screening queue's filters and order (甄别派单); `QUERY_KEYS` are what a saved filter
    keeps of the page's query string."""

    # Django puts the shared fields first; these lead, the rest follow in their own order.
    field_order = ("tab", "q", "channel", "kind", "urgency")
    tab = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部类型"), *AppealKind.choices]
    )
    urgency = forms.ChoiceField(
        label="紧急程度", required=False, choices=[("", "全部"), *Urgency.choices]
    )
    sort = forms.ChoiceField(label="排序", required=False, choices=QUEUE_SORTS)

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


QUERY_KEYS: Final = tuple(
    dict.fromkeys((*QueueFilterForm.field_order, *QueueFilterForm.base_fields))
)


class SavedFilterForm(forms.Form):
    name = forms.CharField(
        max_length=30,
        error_messages={"required": "请填写筛选名称", "max_length": "筛选名称不能超过30字"},
    )
    query = forms.CharField(required=False, max_length=2000)
