"""The task forces in the staff navigation."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.nav import NavItem
from minxin.accounts.roles import Role

from .permissions import may_see_task_forces


def _leader(user: User) -> bool:
    return has_role(user, Role.LEADER)


NAV = [
    NavItem(107, "taskforces:leader_cases", "我的包案", _leader),
    NavItem(109, "taskforces:task_force_list", "工作专班", may_see_task_forces),
]
