from django import template

from minxin.core.privacy import mask_name, mask_phone

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value)


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value)
