"""Who may see which figures, named once."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role


def may_see_dashboard(user: User) -> bool:
    """The dashboard and the bulletin: the supervision office and leaders."""
    return has_role(user, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def may_see_scorecards(user: User) -> bool:
    """The scorecards: those who see the dashboard, and a handler its own unit's."""
    return may_see_dashboard(user) or has_role(user, Role.HANDLER)
