from django import template

from minxin.cases.workflow import AppealStatus, Satisfaction
from minxin.cases.workflow import action_label as _action_label

register = template.Library()


@register.filter
def action_label(value: str) -> str:
    return _action_label(value)


@register.filter
def status_label(value: str) -> str:
    try:
        return str(AppealStatus(value).label)
    except ValueError:
        return value or "—"


@register.filter
def satisfaction_label(value: str) -> str:
    try:
        return str(Satisfaction(value).label)
    except ValueError:
        return value
