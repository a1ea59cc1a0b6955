"""Filters of the citizen's public pages."""

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.8571 → 85.7%; no denominator → —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"
