"""Who may see and run consultations, named once. Which step may be taken by whom is the
tables of `workflow.py`."""

from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import MODERATORS, OFFICE


def runs_consultations(user: User) -> bool:
    return user.role in OFFICE


def moderates_comments(user: User) -> bool:
    return user.role in MODERATORS


def comments_as_deputy(user: User) -> bool:
    """A people's deputy, who comments on a draft in its own name through the staff pages."""
    return user.role == Role.DEPUTY


def may_see_consultations(user: User) -> bool:
    """The pages: the office, the moderators, and deputies (who comment through them)."""
    return runs_consultations(user) or moderates_comments(user) or comments_as_deputy(user)
