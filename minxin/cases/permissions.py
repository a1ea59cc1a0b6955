"""Who may see which appeals and which of the loop's pages, each named once. Who may take
which action is the transition table's (the roles) and the appeals' machine's (the unit):
`cases.machine.APPEALS.refusal`."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import DISTRICT_WIDE_ROLES, Role
from minxin.directory.selectors import units_passing_down


def sees_whole_district(user: User) -> bool:
    """The hotline centre and the supervision office see every appeal; a handler sees those
    its unit is assigned."""
    return user.role in DISTRICT_WIDE_ROLES


def works_a_unit_queue(user: User) -> bool:
    return has_role(user, Role.HANDLER) and user.unit_id is not None


def passes_appeals_down(user: User) -> bool:
    """A street office's handler, whose unit has community or grid units under it (二级派单):
    the page of the sub-tasks it passed down, with their deadlines. (A community above grid
    units does not pass appeals down: it never leads one.)"""
    return works_a_unit_queue(user) and user.unit_id in units_passing_down()


def may_follow_up(user: User) -> bool:
    """The follow-up queue: dissatisfied ratings called back and re-handled."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN, Role.CALL_TAKER, Role.LEADER)


def may_see_contact(user: User) -> bool:
    """The appellant's phone (masked) on the appeal page: not for leaders, who only read."""
    return not has_role(user, Role.LEADER)


# Those who must call the appellant: the handling unit (first contact), the hotline and the
# supervision office (the follow-up call after the reply).
PHONE_REVEAL_ROLES = (Role.HANDLER, Role.CALL_TAKER, Role.SUPERVISOR)


def may_reveal_phone(user: User) -> bool:
    """The full number, one click and one logged reveal at a time (`services.phone_reveal`);
    every page still shows it masked."""
    return has_role(user, *PHONE_REVEAL_ROLES)


def may_see_phone_reveals(user: User) -> bool:
    """Who looked at which appellant's number: the supervision office and the admin."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)
