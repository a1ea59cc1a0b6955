from minxin.accounts.nav import NavItem

from .permissions import may_review

NAV = [NavItem(45, "review:queue", "办结审核", may_review)]
