"""The intake pages in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_take_calls

NAV = [NavItem(10, "intake:hotline", "热线受理", may_take_calls)]
