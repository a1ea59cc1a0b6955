"""The supervision pages in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_see_orders

NAV = [NavItem(110, "supervision:order_list", "督办单", may_see_orders)]
