"""The board pages in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_moderate

NAV = [NavItem(40, "board:moderation_queue", "留言审核", may_moderate)]
