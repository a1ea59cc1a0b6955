"""What each action changes, as pure functions: the appeal's fields and the event's payload,
and the rows an action adds (assignments, extensions, replies). The services apply them to
the database through the machine; the demo seeder applies the very same functions to appeals
in memory, so the two cannot drift apart. No queries, no writes."""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from minxin.deadlines import calendar
from minxin.directory.models import Category, Unit
from minxin.machine.engine import Change

from .models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Extension,
    ExtensionStatus,
    Reply,
    Revisit,
    RevisitStatus,
    Transfer,
    TransferStatus,
)
from .workflow import Action


def capped(due: datetime, cap: datetime | None) -> datetime:
    """A deadline of this side, never later than the upstream platform's (`Appeal.upstream_due`,
    docs/citylink.md): the district answers the city in the city's time."""
    return min(due, cap) if cap is not None else due


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
    cap: datetime | None = None,
) -> Change:
    first_contact_due = capped(first_contact_due, cap)
    resolve_due = capped(resolve_due, cap)
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


def returned(*, unit_id: int | None, appeal: Appeal | None = None) -> Change:
    """The unit sends the appeal back: no lead unit, no deadlines. The payload keeps the
    deadlines it had, which a refused return gives back (`return_refused`)."""
    payload: dict[str, Any] = {"unit_id": unit_id}
    if appeal is not None:
        payload |= {
            "first_contact_due": _iso(appeal.first_contact_due),
            "resolve_due": _iso(appeal.resolve_due),
        }
    return Change(
        {"lead_unit_id": None, "first_contact_due": None, "resolve_due": None},
        payload,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def return_refused(
    *,
    at: datetime,
    unit: Unit,
    restart: bool,
    returned_payload: Mapping[str, Any],
    first_contact_due: datetime,
    resolve_due: datetime,
) -> Change:
    """退单审核 refused the return: the appeal goes back to the unit that returned it. With the
    policy's `refused_return_restarts_clock` its deadlines start afresh now (the fresh ones
    given); otherwise it gets back the deadlines it had when it returned the appeal (recorded
    by `returned`; the fresh ones only for a return recorded before they were), and the first
    dispatch stays the start of its clocks."""
    kept_fc = returned_payload.get("first_contact_due")
    kept_resolve = returned_payload.get("resolve_due")
    fresh = restart or not (kept_fc and kept_resolve)
    fields: dict[str, Any] = {"lead_unit_id": unit.pk}
    if fresh:
        fields |= {
            "dispatched_at": at,
            "first_contact_due": first_contact_due,
            "resolve_due": resolve_due,
            "first_contacted_at": None,
        }
    else:
        fields |= {
            "first_contact_due": datetime.fromisoformat(str(kept_fc)),
            "resolve_due": datetime.fromisoformat(str(kept_resolve)),
        }
    return Change(
        fields,
        {
            "unit_id": unit.pk,
            "lead_unit": unit.name,
            "restarts_clock": fresh,
            "first_contact_due": fields["first_contact_due"].isoformat(),
            "resolve_due": fields["resolve_due"].isoformat(),
        },
    )


def transferred(
    *,
    at: datetime,
    from_unit_id: int | None,
    to: Unit,
    restart: bool,
    first_contact_due: datetime,
    resolve_due: datetime,
    transfer_id: int,
) -> Change:
    """An approved transfer (转办): the new lead unit receives the appeal to accept, as at a
    dispatch. With the policy's `transfer_restarts_clock` its deadlines start afresh now (the
    fresh ones given) and so does its first-contact clock; otherwise the appeal keeps its
    dispatch time, its deadlines and a first contact already made."""
    fields: dict[str, Any] = {"lead_unit_id": to.pk}
    if restart:
        fields |= {
            "dispatched_at": at,
            "first_contact_due": first_contact_due,
            "resolve_due": resolve_due,
            "first_contacted_at": None,
        }
    return Change(
        fields,
        {
            "transfer_id": transfer_id,
            "from_unit_id": from_unit_id,
            "unit_id": to.pk,
            "lead_unit": to.name,
            "restarts_clock": restart,
        },
    )


def first_contacted(*, appeal: Appeal, at: datetime) -> Change:
    """The citizen contacted. A first contact already made (before a transfer that kept the
    clock) stays the first."""
    return Change({"first_contacted_at": appeal.first_contacted_at or at})


def suspended(*, appeal: Appeal, at: datetime) -> Change:
    return Change({"paused_at": at})


def resumed(*, appeal: Appeal, at: datetime) -> Change:
    """The clock runs again: the completion deadline moves by the paused working time."""
    paused = calendar.working_seconds_between(appeal.paused_at, at) if appeal.paused_at else 0
    fields: dict[str, Any] = {"paused_at": None}
    if appeal.resolve_due is not None:
        fields["resolve_due"] = capped(
            calendar.add_working_seconds(appeal.resolve_due, paused), appeal.upstream_due
        )
    return Change(fields, {"paused_working_seconds": paused})


def supplemented(*, appeal: Appeal, at: datetime, photos: int) -> Change:
    """The citizen's supplement: what was awaited has arrived, so a paused clock runs again
    (as at RESUME; nothing moves when the appeal was in progress)."""
    resume = resumed(appeal=appeal, at=at)
    return Change(resume.fields, {**resume.payload, "photos": photos})


def extension_decided(*, appeal: Appeal, days: int, approve: bool) -> Change:
    fields: dict[str, Any] = {}
    payload: dict[str, Any] = {"days": days}
    if approve and appeal.resolve_due is not None:
        fields["resolve_due"] = capped(
            calendar.add_working_days(appeal.resolve_due, days), appeal.upstream_due
        )
        payload["resolve_due"] = fields["resolve_due"].isoformat()
    return Change(fields, payload)


def resolved(*, at: datetime) -> Change:
    """The unit's reply submitted: its completion clock stops; the citizen sees nothing yet."""
    return Change({"resolved_at": at, "released_at": None, "satisfaction": ""})


def reply_released(*, appeal: Appeal, reply: Reply, at: datetime, reviewed: bool) -> Change:
    """The review passed the reply (or the policy let it pass): the citizen sees it now, and the
    rating window runs from here. The payload names the unit whose reply it was (审核退回率
    counts against it) and whether a person reviewed it."""
    return Change(
        {"released_at": at},
        {
            "reply_id": reply.pk,
            "unit_id": reply.unit_id,
            "reviewed": reviewed,
            "quality_score": reply.quality_score,
        },
    )


def sent_back(*, appeal: Appeal, at: datetime) -> Change:
    """The review sent the reply back to the unit: its clock runs again, the completion
    deadline moved by the working time the reply spent in review (the centre's time is not the
    unit's), and the appeal is no longer resolved."""
    review = calendar.working_seconds_between(appeal.resolved_at, at) if appeal.resolved_at else 0
    fields: dict[str, Any] = {"resolved_at": None, "released_at": None}
    payload: dict[str, Any] = {"unit_id": appeal.lead_unit_id, "review_working_seconds": review}
    if appeal.resolve_due is not None:
        fields["resolve_due"] = capped(
            calendar.add_working_seconds(appeal.resolve_due, review), appeal.upstream_due
        )
        payload["resolve_due"] = fields["resolve_due"].isoformat()
    return Change(fields, payload)


def rated(*, satisfaction: str) -> Change:
    return Change({"satisfaction": satisfaction}, {"satisfaction": satisfaction})


def reopened(*, appeal: Appeal, resolve_due: datetime) -> Change:
    resolve_due = capped(resolve_due, appeal.upstream_due)
    return Change(
        {
            "resolve_due": resolve_due,
            "resolved_at": None,
            "released_at": None,
            "satisfaction": "",
            "reopen_count": appeal.reopen_count + 1,
        },
        {"resolve_due": resolve_due.isoformat()},
    )


def closed(*, appeal: Appeal, at: datetime) -> Change:
    """Closed after follow-up, or archived."""
    return Change({"closed_at": at})


def answered_directly(*, at: datetime) -> Change:
    """An inquiry answered on the spot (直接答复): replied, resolved and closed at once."""
    return Change({"resolved_at": at, "closed_at": at})


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
BECAME_LEAD = "转为主办"


def transfer_reason(reason: str) -> str:
    return f"转办：{reason.strip()[:400]}"


def transfer_requested(
    *,
    appeal: Appeal,
    unit_id: int,
    by_id: int,
    reason: str,
    suggested_unit_id: int | None,
    at: datetime,
) -> Transfer:
    return Transfer(
        **_request(appeal=appeal, unit_id=unit_id, by_id=by_id, reason=reason, at=at),
        status=TransferStatus.PENDING,
        suggested_unit_id=suggested_unit_id,
    )


def transfer_decision(
    *, approve: bool, to_unit_id: int | None, by_id: int | None, at: datetime, reason: str
) -> dict[str, Any]:
    """The fields of a pending transfer request once decided."""
    return {
        **_decided(by_id=by_id, at=at, reason=reason),
        "status": TransferStatus.APPROVED if approve else TransferStatus.REFUSED,
        "to_unit_id": to_unit_id if approve else None,
    }


def extension_requested(
    *, appeal: Appeal, unit_id: int, by_id: int, days: int, reason: str, at: datetime
) -> Extension:
    return Extension(
        **_request(appeal=appeal, unit_id=unit_id, by_id=by_id, reason=reason, at=at),
        status=ExtensionStatus.PENDING,
        days=days,
    )


def extension_decision(
    *, approve: bool, by_id: int | None, at: datetime, reason: str
) -> dict[str, Any]:
    """The fields of a pending extension once decided."""
    return {
        **_decided(by_id=by_id, at=at, reason=reason),
        "status": ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED,
    }


# The fields a unit's request (an extension, a transfer) and the decision on it share.
def _request(
    *, appeal: Appeal, unit_id: int, by_id: int, reason: str, at: datetime
) -> dict[str, Any]:
    return {
        "appeal": appeal,
        "unit_id": unit_id,
        "requested_by_id": by_id,
        "reason": reason,
        "created_at": at,
    }


def _decided(*, by_id: int | None, at: datetime, reason: str) -> dict[str, Any]:
    return {
        "decided_by_id": by_id,
        "decided_at": at,
        "decision_reason": reason,
    }


def reply_given(
    *, appeal: Appeal, unit_id: int, by_id: int | None, content: str, at: datetime
) -> Reply:
    return Reply(appeal=appeal, unit_id=unit_id, author_id=by_id, content=content, created_at=at)


# --- revisits (回访) ----------------------------------------------------------------------

REVISIT_ATTEMPTS: Final = 3  # calls that do not reach the citizen before it is unreachable


def revisit_sampled(*, tracking_number: str, replies: int, percent: int) -> bool:
    """Whether a released reply that no dissatisfied rating calls for is in the revisit sample:
    a hash of the appeal's number and the reply's rank, so the same reply is always in or out
    (reproducible, and not left to whoever releases it)."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{tracking_number}:{replies}".encode()).hexdigest()
    return int(digest[:8], 16) % 100 < min(percent, 100)


def revisit_queued(*, appeal: Appeal, reason: str, at: datetime) -> Revisit:
    return Revisit(appeal=appeal, reason=reason, status=RevisitStatus.PENDING, created_at=at)


def revisit_called(
    *,
    revisit: Revisit,
    at: datetime,
    reached: bool,
    solved: bool | None,
    satisfaction: str,
    note: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One call: the revisit's new fields, and the follow-up event's payload."""
    attempt = revisit.attempts + 1
    fields: dict[str, Any] = {"attempts": attempt, "last_attempt_at": at}
    if reached:
        fields |= {
            "status": RevisitStatus.DONE,
            "solved": solved,
            "satisfaction": satisfaction,
            "note": note,
            "closed_at": at,
        }
    elif attempt >= REVISIT_ATTEMPTS:
        fields |= {"status": RevisitStatus.UNREACHABLE, "note": note, "closed_at": at}
    payload = {
        "revisit_id": revisit.pk,
        "attempt": attempt,
        "reached": reached,
        "solved": solved if reached else None,
        "satisfaction": satisfaction if reached else "",
    }
    return fields, payload


def revisit_unreached_note(attempt: int) -> str:
    if attempt >= REVISIT_ATTEMPTS:
        return f"第{attempt}次回访未接通，按无法联系结束回访"
    return f"第{attempt}次回访未接通"
