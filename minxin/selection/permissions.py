"""Who may see and run selection rounds, named once. Which step of a round may be taken by
whom is the rounds' table (`workflow.TRANSITIONS`); the deputies vote on the rounds whose roll
they are on."""

from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import OFFICE


def runs_rounds(user: User) -> bool:
    return user.role in OFFICE


def is_deputy(user: User) -> bool:
    return user.role == Role.DEPUTY


def may_see_rounds(user: User) -> bool:
    """The rounds' pages: the office that runs them, and deputies (the rounds they vote on)."""
    return runs_rounds(user) or is_deputy(user)
