from typing import Any

from django.http import HttpRequest

from .roles import STAFF_ROLES, Role


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    """The staff navigation depends on the role; citizens' pages get nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = getattr(user, "role", "")
    items: list[tuple[str, str]] = []
    if role in (Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN):
        items.append(("intake:hotline", "热线受理"))
    if role in (Role.DISPATCHER, Role.ADMIN):
        items.append(("dispatch:screening", "甄别派单"))
        items.append(("imports:index", "批量导入"))
    if role in (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN):
        items.append(("board:moderation_queue", "留言审核"))
    if role in (Role.HANDLER,):
        items.append(("cases:unit_queue", "本单位工单"))
    if role in (Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.CALL_TAKER):
        items.append(("cases:appeal_list", "全部诉求"))
    if role in (Role.SUPERVISOR, Role.CALL_TAKER, Role.ADMIN):
        items.append(("cases:follow_up_queue", "回访重办"))
    if role in (Role.SUPERVISOR, Role.LEADER, Role.ADMIN):
        items += [
            ("metrics:dashboard", "总览"),
            ("metrics:scorecards", "考核排名"),
            ("metrics:bulletin", "通报"),
        ]
    if role in (Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.CALL_TAKER):
        items.append(("metrics:exports", "我的导出"))
    if role in (Role.HANDLER,):
        items.append(("metrics:scorecards", "本单位考核"))
    if role in (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.HANDLER):
        items.append(("supervision:order_list", "督办单"))
    if role in (Role.SUPERVISOR, Role.LEADER, Role.ADMIN):
        items.append(("suggestions:review_list", "建议征集"))
    if role in STAFF_ROLES:
        items.append(("visits:list", "走访记录"))
    # The unread count in the nav: one indexed COUNT (recipient, read_at). accounts sits below
    # notify, so it goes through the reverse relation rather than importing notify.
    unread = user.notifications.filter(read_at__isnull=True).count()
    items.append(("notify:inbox", f"消息（{unread}）" if unread else "消息"))
    return {
        "nav_items": items,
        "notify_unread": unread,
        "role_label": Role(role).label if role else "",
    }
