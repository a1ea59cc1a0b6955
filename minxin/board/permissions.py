"""Who may do what on the board, each named once."""

from minxin.accounts.models import User

from .workflow import MODERATORS


def may_moderate(user: User) -> bool:
    """The moderation console and its decisions."""
    return user.role in MODERATORS
