"""Who may see and propose proactive tasks, named once. Who acts on one is the tasks' table
(`workflow.TRANSITIONS`) and machine: a handler of the unit it is given to."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import PROPOSERS


def sees_every_task(user: User) -> bool:
    return user.role in PROPOSERS


def may_see_tasks(user: User) -> bool:
    """The task pages: those who propose them, and handlers (their unit's)."""
    return sees_every_task(user) or has_role(user, Role.HANDLER)


def may_propose_tasks(user: User) -> bool:
    return user.role in PROPOSERS
