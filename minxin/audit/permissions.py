"""Who may read the audit log: the supervisors of the supervision office, and the admins."""

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.directory.models import UnitKind


def may_read_audit(user: User) -> bool:
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.SUPERVISOR
        and user.unit is not None
        and user.unit.kind == UnitKind.SUPERVISION
    )
