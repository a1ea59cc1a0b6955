"""Who may see and host deliberations, named once; which step whom is the table's."""

from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import OFFICE


def sees_every_topic(user: User) -> bool:
    return user.role in OFFICE


def may_see_topics(user: User) -> bool:
    """The office, and a street's handlers (their street's topics)."""
    return sees_every_topic(user) or (user.role == Role.HANDLER and user.unit_id is not None)
