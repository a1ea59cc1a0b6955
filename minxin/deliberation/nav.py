"""The deliberation hall in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_see_topics

NAV = [NavItem(109, "deliberation:list", "议事厅", may_see_topics)]
