from django import template

from minxin.cases.workflow import Satisfaction

register = template.Library()


@register.filter
def satisfaction_label(value: str) -> str:
    try:
        return str(Satisfaction(value).label)
    except ValueError:
        return value
