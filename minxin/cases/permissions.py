"""Who may see which appeals and which of the loop's pages, each named once. Who may take
which action is the transition table's (the roles) and the appeals' machine's (the unit):
`cases.machine.APPEALS.refusal`."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import DISTRICT_WIDE_ROLES, Role


def sees_whole_district(user: User) -> bool:
    """The hotline centre and the supervision office see every appeal; a handler sees those
    its unit is assigned."""
    return user.role in DISTRICT_WIDE_ROLES


def works_a_unit_queue(user: User) -> bool:
    return has_role(user, Role.HANDLER) and user.unit_id is not None


def may_follow_up(user: User) -> bool:
    """The follow-up queue: dissatisfied ratings called back and re-handled."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN, Role.CALL_TAKER, Role.LEADER)


def may_see_contact(user: User) -> bool:
    """The appellant's phone (masked) on the appeal page: not for leaders, who only read."""
    return not has_role(user, Role.LEADER)
