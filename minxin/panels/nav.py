from minxin.accounts.nav import NavItem

from .permissions import runs_evaluations

NAV = [NavItem(111, "panels:list", "单位测评", runs_evaluations)]
