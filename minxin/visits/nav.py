"""The visits pages in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_record_visits

NAV = [NavItem(130, "visits:list", "走访记录", may_record_visits)]
