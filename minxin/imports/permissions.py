"""Who may import appeals in bulk (the dispatcher's import pages), named once."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role


def may_import(user: User) -> bool:
    return has_role(user, Role.DISPATCHER, Role.ADMIN)
