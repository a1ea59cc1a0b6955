"""The livelihood projects in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_see_projects

NAV = [NavItem(105, "projects:programme_list", "民心工程", may_see_projects)]
