"""The proactive tasks in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_see_tasks

NAV = [NavItem(112, "proactive:task_list", "未诉先办", may_see_tasks)]
