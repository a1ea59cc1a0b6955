"""Who may screen and dispatch (the dispatcher's pages), named once."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role


def may_dispatch(user: User) -> bool:
    return has_role(user, Role.DISPATCHER, Role.ADMIN)
