"""Who may see task forces and set them up, named once. Who records a meeting is the table's
(`workflow.TRANSITIONS`): the office, or a handler of the lead unit."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import OFFICE


def sees_every_task_force(user: User) -> bool:
    return user.role in OFFICE


def may_see_task_forces(user: User) -> bool:
    """The office, and handlers (the task forces their unit leads or belongs to)."""
    return sees_every_task_force(user) or (
        has_role(user, Role.HANDLER) and user.unit_id is not None
    )


def may_set_up(user: User) -> bool:
    return user.role in OFFICE
