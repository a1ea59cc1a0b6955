"""Who may review suggestions (人民建议), named once. Who may take which review action is the
transition table's (`workflow.TRANSITIONS`)."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role


def may_review_suggestions(user: User) -> bool:
    """The review pages: supervisors and admins decide, leaders come to endorse."""
    return has_role(user, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
