"""The dispatch pages in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_dispatch

NAV = [NavItem(20, "dispatch:screening", "甄别派单", may_dispatch)]
