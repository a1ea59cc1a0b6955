from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import OFFICE


def runs_evaluations(user: User) -> bool:
    return user.role in OFFICE


def sits_on_panels(user: User) -> bool:
    """Deputies are seated on panels by their accounts (others come by invitation link)."""
    return user.role == Role.DEPUTY
