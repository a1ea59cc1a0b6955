"""The cases pages in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import (
    may_follow_up,
    may_see_phone_reveals,
    passes_appeals_down,
    sees_whole_district,
    works_a_unit_queue,
)

NAV = [
    NavItem(50, "cases:unit_queue", "本单位工单", works_a_unit_queue),
    NavItem(52, "cases:sub_tasks", "下派任务", passes_appeals_down),
    NavItem(60, "cases:appeal_list", "全部诉求", sees_whole_district),
    NavItem(70, "cases:follow_up_queue", "回访重办", may_follow_up),
    NavItem(75, "cases:phone_reveals", "号码查看记录", may_see_phone_reveals),
]
