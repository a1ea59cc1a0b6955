from typing import Any

from django.http import HttpRequest

from .nav import nav_for
from .roles import Role


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    """The staff navigation (`nav.nav_for`) and the unread count; citizens' pages get nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = getattr(user, "role", "")
    items = nav_for(user)
    # The unread count in the nav: one indexed COUNT (recipient, read_at). accounts sits below
    # notify, so it goes through the reverse relation rather than importing notify.
    unread = user.notifications.filter(read_at__isnull=True).count()
    items.append(("notify:inbox", f"消息（{unread}）" if unread else "消息"))
    return {
        "nav_items": items,
        "notify_unread": unread,
        "role_label": Role(role).label if role else "",
    }
