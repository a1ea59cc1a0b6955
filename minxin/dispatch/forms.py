"""Forms only parse and type the input; the rules live in the services."""

from django import forms

from minxin.directory.selectors import units_active


class DispatchForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    lead_unit = forms.ModelChoiceField(queryset=units_active())
    assist_units = forms.ModelMultipleChoiceField(queryset=units_active(), required=False)
    reason = forms.CharField(required=False, max_length=2000)
