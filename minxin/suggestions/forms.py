"""Forms only parse and type the input; the rules live in the services."""

from django import forms

from .models import SuggestionField
from .selectors import OPEN
from .workflow import AdoptionLevel, SuggestionStatus


class SuggestionFilterForm(forms.Form):
    q = forms.CharField(label="编号/标题", required=False, max_length=100)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), (OPEN, "待处理（待审核+审核中）"), *SuggestionStatus.choices],
    )
    level = forms.ChoiceField(
        label="采纳层级", required=False, choices=[("", "全部层级"), *AdoptionLevel.choices]
    )
    field = forms.ChoiceField(
        label="领域", required=False, choices=[("", "全部领域"), *SuggestionField.choices]
    )
    start = forms.DateField(
        label="提交起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="提交止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SuggestionActionForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    reason = forms.CharField(required=False, max_length=20000, strip=True)
    unit_id = forms.IntegerField(required=False, min_value=1)
