"""Who may see issue lists, and who may keep one, named once. Who works an item is the
items' table (`workflow.TRANSITIONS`) and machine: a handler of the list's unit."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import OFFICE


def sees_every_list(user: User) -> bool:
    """The supervision office, leaders, admins, and the hotline centre (which links appeals)."""
    return user.role in OFFICE or has_role(user, Role.DISPATCHER)


def may_see_lists(user: User) -> bool:
    return sees_every_list(user) or (has_role(user, Role.HANDLER) and user.unit_id is not None)


def may_keep_list(user: User, unit_id: int) -> bool:
    """Add items to a unit's list: its own handlers, or the office."""
    return user.role in OFFICE or (user.role == Role.HANDLER and user.unit_id == unit_id)
