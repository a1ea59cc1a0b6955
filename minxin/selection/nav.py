"""The selection rounds in the staff navigation: the office's rounds, a deputy's votes."""

from minxin.accounts.nav import NavItem

from .permissions import is_deputy, runs_rounds

NAV = [
    NavItem(107, "selection:round_list", "项目票决", runs_rounds),
    NavItem(5, "selection:round_list", "代表表决", is_deputy),
]
