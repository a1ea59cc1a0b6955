"""Who may see which appeals. Who may take which action is the transition table's (the roles)
and the appeals' machine's (the unit): `cases.machine.APPEALS.refusal`."""

from minxin.accounts.roles import DISTRICT_WIDE_ROLES


def sees_whole_district(role: str) -> bool:
    return role in DISTRICT_WIDE_ROLES
