"""Filters of the public project pages."""

from django import template

from minxin.core.privacy import mask_public_text

register = template.Library()


@register.filter
def public_text(value: object) -> str:
    """Personal data masked by the public rule (core.privacy.mask_public_text): for
    any staff-written text shown on a public page (a summary, a milestone's task)."""
    return mask_public_text(str(value or ""))
