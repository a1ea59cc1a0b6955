"""Forms only parse and type the input; the rules live in the services."""

from django import forms

from minxin.cases.models import AppealKind
from minxin.deadlines.models import Urgency
from minxin.directory.models import Region
from minxin.directory.selectors import categories_active


class ScreenForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    category = forms.ModelChoiceField(queryset=categories_active())
    region = forms.ModelChoiceField(queryset=Region.objects.all(), required=False)
    urgency = forms.ChoiceField(choices=Urgency.choices)
    kind = forms.ChoiceField(choices=AppealKind.choices, required=False)
