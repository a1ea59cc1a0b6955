"""The demo's logins, one per role, as a table for the terminal (`minxin demo_logins`)."""

from __future__ import annotations

import unicodedata

from django.conf import settings

from minxin.accounts.models import User
from minxin.accounts.roles import Role

from . import district as d
from .selection import DEPUTY_USERNAME
from .world import demo_password

ROLE_ORDER = (
    Role.CALL_TAKER,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.ADMIN,
    Role.DEPUTY,
)


def _main_username(role: Role) -> str:
    if role == Role.HANDLER:
        return d.MAIN_HANDLER
    if role == Role.DEPUTY:
        return DEPUTY_USERNAME
    return next(username for username, _, r, _, _ in d.STAFF if r == role)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def demo_logins_table() -> str:
    """The table, or a hint when the demo has not been seeded."""
    wanted = {role: _main_username(role) for role in ROLE_ORDER}
    users = {
        u.username: u
        for u in User.objects.filter(username__in=wanted.values()).select_related("unit")
    }
    if not users:
        return "还没有演示账号：请先运行 minxin seed_demo"
    password = demo_password()
    rows = [("角色", "role", "用户名", "密码", "单位")]
    for role, username in wanted.items():
        user = users.get(username)
        if user is None:
            continue
        unit = user.unit.name if user.unit else ""
        if role == Role.HANDLER:
            others = (
                User.objects.filter(role=Role.HANDLER, username__startswith="h_")
                .exclude(pk=user.pk)
                .count()
            )
            if others:
                unit += f"（另有 {others} 个承办人账号 h_<单位>，如 h_tianding、h_cgzf）"
        if role == Role.DEPUTY:
            unit = "区人大代表（另有 deputy2 … deputy12）"
        rows.append((role.label, role.value, username, password, unit))
        if role == Role.HANDLER:
            rows += _community_rows(password)
    rows += _neighbour_rows(password)
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4]
        for row in rows
    ]
    lines.insert(1, "-" * (sum(widths) + 8 + max(_width(r[4]) for r in rows)))
    lines.append(_second_factor_note())
    return "\n".join(lines)


def _community_rows(password: str) -> list[tuple[str, str, str, str, str]]:
    """The community's handler (二级派单): what the main street passes down reaches it."""
    user = User.objects.filter(username=d.COMMUNITY_HANDLER).select_related("unit__parent").first()
    if user is None or user.unit is None:
        return []
    above = f"，{user.unit.parent.name}下属" if user.unit.parent else ""
    unit = f"{user.unit.name}（社区承办人：接收街道下派的诉求{above}）"
    return [("社区承办人", "handler", user.username, password, unit)]


NEIGHBOUR_ROWS = (
    ("city_leader", "市级领导：看全市各辖区的诉求和数据，可在“辖区”中选一个区"),
    ("city_dispatcher", "市级派单员：各辖区的诉求都可甄别派单"),
    ("a2_dispatcher", "邻区A2区的派单员：只看A2区（公众页面 http://a2.localhost:8000/）"),
)


def _neighbour_rows(password: str) -> list[tuple[str, str, str, str, str]]:
    """The city's staff and the neighbouring district's (neighbour.py): one install, many
    districts."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[name for name, _ in NEIGHBOUR_ROWS])
    }
    return [
        (Role(users[name].role).label, users[name].role, name, password, note)
        for name, note in NEIGHBOUR_ROWS
        if name in users
    ]


def _second_factor_note() -> str:
    if settings.MINXIN_2FA_REQUIRED:
        return (
            "二次验证：管理员、督查员、领导首次登录时须用手机身份验证器扫码绑定，"
            "以后每次登录输入其 6 位数字（docs/security.md）"
        )
    return (
        "二次验证：演示环境未强制（MINXIN_2FA_REQUIRED=1 开启）；任何账号都可在“账号安全”中自行启用"
    )
