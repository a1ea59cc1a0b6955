"""Who may record and read visits (走访), named once."""

from minxin.accounts.models import User
from minxin.accounts.roles import STAFF_ROLES
from minxin.cases.permissions import sees_whole_district


def may_record_visits(user: User) -> bool:
    """Any member of staff goes out to the people, a leader too."""
    return user.role in STAFF_ROLES


def sees_every_visit(user: User) -> bool:
    """Those who see every appeal read every unit's visits; others their own unit's."""
    return sees_whole_district(user)
