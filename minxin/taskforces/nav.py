"""The task forces in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_see_task_forces

NAV = [NavItem(109, "taskforces:task_force_list", "工作专班", may_see_task_forces)]
