"""Filters of the public board pages."""

from django import template

from minxin.core.privacy import mask_public_text

register = template.Library()


@register.filter
def public_text(value: object) -> str:
    """Personal data masked by the public rule (core.privacy.mask_public_text): for
    any citizen-written or handler-written text rendered on a public page."""
    return mask_public_text(str(value or ""))


_NAME_CUE = "姓名："


@register.filter
def public_nickname(value: object) -> str:
    """A nickname that is in fact a person's name (王小明) is masked like one (王**): the
    detection is asked about the nickname as if it followed a 姓名 cue."""
    masked = mask_public_text(_NAME_CUE + str(value or ""))
    return masked[len(_NAME_CUE) :]
