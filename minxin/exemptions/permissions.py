"""Who may open the exemption pages, named once. Asking and deciding are the machine's rows
(handlers of the appeal's lead unit ask; the supervision office decides)."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import DECIDERS

DISTRICT = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def sees_all_exemptions(user: User) -> bool:
    """The supervision office, the leaders and the admins see every unit's requests."""
    return has_role(user, *DISTRICT)


def may_list_exemptions(user: User) -> bool:
    """Those, and a unit's handlers (their own unit's requests only)."""
    return sees_all_exemptions(user) or (user.role == Role.HANDLER and user.unit_id is not None)


def decides_exemptions(user: User) -> bool:
    return has_role(user, *DECIDERS)
