"""Who may do what to which appeal. The transition table names the roles; this adds the unit."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from minxin.accounts.roles import DISTRICT_WIDE_ROLES, Role

from .workflow import TRANSITIONS, Action, AppealStatus, UnitScope

if TYPE_CHECKING:
    from minxin.accounts.models import User


@dataclass(frozen=True)
class Actor:
    """The one acting: a member of staff, a citizen holding the query code, or the system."""

    role: Role
    user: "User | None" = None
    unit_id: int | None = None

    @classmethod
    def of(cls, user: "User") -> "Actor":
        return cls(role=Role(user.role), user=user, unit_id=user.unit_id)

    @classmethod
    def citizen(cls) -> "Actor":
        return cls(role=Role.CITIZEN)

    @classmethod
    def system(cls) -> "Actor":
        return cls(role=Role.SYSTEM)


def refusal(
    *,
    actor: Actor,
    action: Action,
    status: AppealStatus,
    lead_unit_id: int | None,
    assisting_unit_ids: frozenset[int],
) -> str | None:
    """Why `actor` may not do `action` now, in Chinese; None when allowed."""
    transition = TRANSITIONS[action]
    if status not in transition.source:
        return f"诉求当前状态为「{status.label}」，不能{transition.label}"
    if actor.role not in transition.roles:
        return f"{actor.role.label}不能{transition.label}"
    if actor.role == Role.HANDLER:
        if actor.unit_id is None:
            return "您尚未归属任何单位"
        is_lead = actor.unit_id == lead_unit_id
        if transition.handler_scope == UnitScope.LEAD and not is_lead:
            return f"只有主办单位可以{transition.label}"
        if transition.handler_scope == UnitScope.ASSIGNED and not (
            is_lead or actor.unit_id in assisting_unit_ids
        ):
            return f"只有承办单位可以{transition.label}"
    return None


def sees_whole_district(role: str) -> bool:
    return role in DISTRICT_WIDE_ROLES
