"""Who may see and run consultations, named once. Which step may be taken by whom is the
tables of `workflow.py`."""

from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import MODERATORS, OFFICE


def runs_consultations(user: User) -> bool:
    return user.role in OFFICE


def moderates_comments(user: User) -> bool:
    return user.role in MODERATORS


def may_see_consultations(user: User) -> bool:
    """The pages: the office, the moderators, and deputies (who comment through them)."""
    return runs_consultations(user) or moderates_comments(user) or user.role == Role.DEPUTY
