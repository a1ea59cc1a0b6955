from django.db import models


class Role(models.TextChoices):
    """Who acts. Staff hold one of the first six; a people's deputy (人大代表) has an account to
    vote on candidate projects (minxin/selection) but is not staff and sees no appeal; citizen
    and system are the two actors without an account (the citizen proves the appeal with its
    query code)."""

    CALL_TAKER = "call_taker", "接线员"
    DISPATCHER = "dispatcher", "派单员"
    HANDLER = "handler", "承办人"
    SUPERVISOR = "supervisor", "督查员"
    LEADER = "leader", "领导"
    ADMIN = "admin", "管理员"
    DEPUTY = "deputy", "人大代表"
    CITIZEN = "citizen", "诉求人"
    SYSTEM = "system", "系统"


STAFF_ROLES = frozenset(
    {Role.CALL_TAKER, Role.DISPATCHER, Role.HANDLER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}
)
# Roles that see every appeal of the district (the hotline centre and the supervision office).
DISTRICT_WIDE_ROLES = frozenset(
    {Role.CALL_TAKER, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}
)
