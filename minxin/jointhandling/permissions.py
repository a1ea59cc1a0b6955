"""Who may record a joint visit on an appeal they can see: the lead unit's handlers (who
organise it on the spot), the hotline centre's dispatchers and the supervision office."""

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal


def may_record_visit(user: User, appeal: Appeal) -> bool:
    if user.role == Role.HANDLER:
        return user.unit_id is not None and user.unit_id == appeal.lead_unit_id
    return user.role in (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
