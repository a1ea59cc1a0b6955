"""Who may take hotline calls (the call-taker's console), named once."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role


def may_take_calls(user: User) -> bool:
    return has_role(user, Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN)
