"""Who may see and issue supervision orders, named once. Who answers one is the orders' table
(`workflow.TRANSITIONS`) and machine: a handler of the unit it is addressed to."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import ISSUERS


def sees_every_order(user: User) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def may_see_orders(user: User) -> bool:
    """The orders pages: the supervision office and leaders, and handlers (their unit's)."""
    return sees_every_order(user) or has_role(user, Role.HANDLER)


def may_issue_orders(user: User) -> bool:
    return user.role in ISSUERS


def takes_charge(user: User) -> bool:
    """领导包案: a district leader takes appeals (and issue-list items and task forces) in
    charge personally."""
    return has_role(user, Role.LEADER)
