"""Labels of any machine's actions and statuses: `{{ e.action|action_label:"appeal" }}`."""

from django import template

from minxin.machine.registry import machine_named

register = template.Library()


@register.filter
def action_label(value: str, machine: str) -> str:
    return machine_named(machine).label(value)


@register.filter
def status_label(value: str, machine: str) -> str:
    return machine_named(machine).status_label(value) if value else "—"
