from django import template

from minxin.cases.machine import APPEALS
from minxin.cases.workflow import Satisfaction

register = template.Library()


@register.filter
def action_label(value: str) -> str:
    return APPEALS.label(value)


@register.filter
def status_label(value: str) -> str:
    return APPEALS.status_label(value) if value else "—"


@register.filter
def satisfaction_label(value: str) -> str:
    try:
        return str(Satisfaction(value).label)
    except ValueError:
        return value
