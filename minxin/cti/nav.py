"""The call log in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_see_calls

NAV = [NavItem(12, "cti:call_log", "通话记录", may_see_calls)]
