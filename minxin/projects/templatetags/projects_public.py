"""Filters of the public project pages."""

from django import template

from minxin.core.privacy import mask_personal_data

register = template.Library()


@register.filter
def public_text(value: object) -> str:
    """Personal data masked (phones, ID-card and plate numbers, e-mail, names after a cue): for
    any staff-written text shown on a public page (a summary, a milestone's task)."""
    return mask_personal_data(str(value or ""))
