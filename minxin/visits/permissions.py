"""Who may record and read visits (走访), named once."""

from minxin.accounts.models import User
from minxin.accounts.roles import DISTRICT_WIDE_ROLES, STAFF_ROLES


def may_record_visits(user: User) -> bool:
    """Any member of staff goes out to the people, a leader too."""
    return user.role in STAFF_ROLES


def sees_every_visit(user: User) -> bool:
    """The district-wide roles read every unit's visits; others their own unit's."""
    return user.role in DISTRICT_WIDE_ROLES
