from minxin.accounts.models import User

from .workflow import OFFICE


def runs_evaluations(user: User) -> bool:
    return user.role in OFFICE
