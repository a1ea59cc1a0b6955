"""What each action changes, as pure functions: the appeal's fields and the event's payload,
and the rows an action adds (assignments, extensions, replies). The services apply them to
the database through the machine; the demo seeder applies the very same functions to appeals
in memory, so the two cannot drift apart. No queries, no writes."""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from minxin.deadlines import calendar
from minxin.directory.models import Category, Unit
from minxin.machine.engine import Change

from .models import Appeal, Assignment, AssignmentRole, Extension, ExtensionStatus, Reply
from .workflow import Action


def received(*, channel: str, photos: int) -> Change:
    return Change(payload={"channel": channel, "photos": photos})


def screened(*, category: Category, region_id: int | None, urgency: str, kind: str = "") -> Change:
    fields: dict[str, Any] = {"category": category, "region_id": region_id, "urgency": urgency}
    if kind:
        fields["kind"] = kind
    return Change(
        fields, {"category": category.path_name, "region_id": region_id, "urgency": urgency}
    )


def merged(*, into: Appeal) -> Change:
    return Change({"merged_into": into}, {"merged_into": into.tracking_number})


def dispatched(
    *,
    at: datetime,
    lead: Unit,
    assists: Sequence[Unit],
    first_contact_due: datetime,
    resolve_due: datetime,
) -> Change:
    return Change(
        {
            "lead_unit_id": lead.pk,
            "dispatched_at": at,
            "first_contact_due": first_contact_due,
            "resolve_due": resolve_due,
            "first_contacted_at": None,
        },
        {
            "lead_unit": lead.name,
            "assist_units": [u.name for u in assists],
            "first_contact_due": first_contact_due.isoformat(),
            "resolve_due": resolve_due.isoformat(),
        },
    )


def returned(*, unit_id: int | None) -> Change:
    return Change(
        {"lead_unit_id": None, "first_contact_due": None, "resolve_due": None},
        {"unit_id": unit_id},
    )


def first_contacted(*, appeal: Appeal, at: datetime) -> Change:
    return Change({"first_contacted_at": at})


def suspended(*, appeal: Appeal, at: datetime) -> Change:
    return Change({"paused_at": at})


def resumed(*, appeal: Appeal, at: datetime) -> Change:
    """The clock runs again: the completion deadline moves by the paused working time."""
    paused = calendar.working_seconds_between(appeal.paused_at, at) if appeal.paused_at else 0
    fields: dict[str, Any] = {"paused_at": None}
    if appeal.resolve_due is not None:
        fields["resolve_due"] = calendar.add_working_seconds(appeal.resolve_due, paused)
    return Change(fields, {"paused_working_seconds": paused})


def extension_decided(*, appeal: Appeal, days: int, approve: bool) -> Change:
    fields: dict[str, Any] = {}
    payload: dict[str, Any] = {"days": days}
    if approve and appeal.resolve_due is not None:
        fields["resolve_due"] = calendar.add_working_days(appeal.resolve_due, days)
        payload["resolve_due"] = fields["resolve_due"].isoformat()
    return Change(fields, payload)


def resolved(*, at: datetime) -> Change:
    return Change({"resolved_at": at, "satisfaction": ""})


def rated(*, satisfaction: str) -> Change:
    return Change({"satisfaction": satisfaction}, {"satisfaction": satisfaction})


def reopened(*, appeal: Appeal, resolve_due: datetime) -> Change:
    return Change(
        {
            "resolve_due": resolve_due,
            "resolved_at": None,
            "satisfaction": "",
            "reopen_count": appeal.reopen_count + 1,
        },
        {"resolve_due": resolve_due.isoformat()},
    )


def closed(*, appeal: Appeal, at: datetime) -> Change:
    """Closed after follow-up, or archived."""
    return Change({"closed_at": at})


# What the actions change that need no input beyond the reason: the appeal and the time decide
# it. Their services are the table's row and this (`services.appeal_act`); the demo applies the
# same functions.
BY_ACTION: Final[Mapping[Action, Callable[..., Change]]] = {
    Action.FIRST_CONTACT: first_contacted,
    Action.SUSPEND: suspended,
    Action.RESUME: resumed,
    Action.CLOSE: closed,
    Action.ARCHIVE: closed,
}


# --- the rows an action adds or ends -------------------------------------------------------


def assignments_given(
    *,
    appeal: Appeal,
    lead_unit_id: int,
    assist_unit_ids: Sequence[int],
    at: datetime,
    by_id: int | None,
) -> list[Assignment]:
    """The dispatch's assignments: one lead, any number assisting (unsaved; the appeal may be
    unsaved too, as in the demo's bulk seeding)."""
    return [
        Assignment(
            appeal=appeal,
            unit_id=unit_id,
            role=role,
            assigned_at=at,
            assigned_by_id=by_id,
        )
        for unit_id, role in [(lead_unit_id, AssignmentRole.LEAD)]
        + [(u, AssignmentRole.ASSIST) for u in assist_unit_ids]
    ]


def assignment_ended(*, at: datetime, reason: str) -> dict[str, Any]:
    """The fields of an assignment that ends: re-dispatched, or returned with a reason."""
    return {"is_active": False, "ended_at": at, "end_reason": reason[:500]}


def return_reason(reason: str) -> str:
    return f"退单：{reason.strip()[:400]}"


REDISPATCHED = "重新派单"


def extension_requested(
    *, appeal: Appeal, unit_id: int, by_id: int, days: int, reason: str, at: datetime
) -> Extension:
    return Extension(
        appeal=appeal,
        unit_id=unit_id,
        requested_by_id=by_id,
        days=days,
        reason=reason,
        status=ExtensionStatus.PENDING,
        created_at=at,
    )


def extension_decision(
    *, approve: bool, by_id: int | None, at: datetime, reason: str
) -> dict[str, Any]:
    """The fields of a pending extension once decided."""
    return {
        "status": ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED,
        "decided_by_id": by_id,
        "decided_at": at,
        "decision_reason": reason,
    }


def reply_given(
    *, appeal: Appeal, unit_id: int, by_id: int | None, content: str, at: datetime
) -> Reply:
    return Reply(appeal=appeal, unit_id=unit_id, author_id=by_id, content=content, created_at=at)
