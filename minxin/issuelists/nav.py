"""The issue lists in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_see_lists

NAV = [NavItem(108, "issuelists:list_index", "事项清单", may_see_lists)]
