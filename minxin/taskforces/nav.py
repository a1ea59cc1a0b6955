"""The task forces in the staff navigation."""

from minxin.accounts.nav import NavItem
from minxin.supervision.permissions import takes_charge

from .permissions import may_see_task_forces

NAV = [
    NavItem(107, "taskforces:leader_cases", "我的包案", takes_charge),
    NavItem(109, "taskforces:task_force_list", "工作专班", may_see_task_forces),
]
