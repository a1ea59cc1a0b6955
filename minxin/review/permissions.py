"""Who reviews replies: the hotline centre's dispatchers and the supervision office (the
table's `approve_reply` and `send_back` rows say the same for the actions)."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role


def may_review(user: User) -> bool:
    return has_role(user, Role.DISPATCHER, Role.SUPERVISOR)
