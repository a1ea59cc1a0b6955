from minxin.accounts.nav import NavItem

from .permissions import runs_evaluations, sits_on_panels

NAV = [
    NavItem(111, "panels:list", "单位测评", runs_evaluations),
    NavItem(6, "panels:mine", "我的测评", sits_on_panels),
]
