"""Who may see the calls and hear their recordings, named once. Who may receive an appeal
from a call is the transition table's (`workflow.TAKERS`, the roles of
`intake.permissions.may_take_calls`); who may see a caller's whole number is the appeals'
(`cases.permissions.may_reveal_phone`)."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role


def may_see_calls(user: User) -> bool:
    """The call log, a call's page and its recording: the hotline centre and the supervision
    office (numbers masked, like every page)."""
    return has_role(user, Role.CALL_TAKER, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)
