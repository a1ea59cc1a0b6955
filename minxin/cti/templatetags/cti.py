from django import template

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """A call's length as people read it: 45秒, 3分05秒, 1时02分."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}秒"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}分{rest:02d}秒"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}时{minutes:02d}分"


@register.filter
def call_action(action: str) -> str:
    """An event's action in the calls' table's words."""
    from minxin.cti.machine import CALLS

    return CALLS.label(action)
