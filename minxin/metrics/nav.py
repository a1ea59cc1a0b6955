"""The metrics pages in the staff navigation."""

from minxin.accounts.models import User
from minxin.accounts.nav import NavItem
from minxin.cases.permissions import sees_whole_district

from .permissions import may_see_dashboard, may_see_scorecards


def _own_unit_scorecards(user: User) -> bool:
    return may_see_scorecards(user) and not may_see_dashboard(user)


NAV = [
    NavItem(80, "metrics:dashboard", "总览", may_see_dashboard),
    NavItem(81, "metrics:scorecards", "考核排名", may_see_dashboard),
    NavItem(82, "metrics:bulletin", "通报", may_see_dashboard),
    # Any member of staff has an exports page (a handler's ledger holds its unit's appeals);
    # the link is for those whose pages offer exports: the appeal list, the bulletin.
    NavItem(90, "metrics:exports", "我的导出", sees_whole_district),
    NavItem(100, "metrics:scorecards", "本单位考核", _own_unit_scorecards),
]
