"""One appeal's page: its deadline flag, timeline, photos, replies, supplements and
assignments, the requests waiting on it, the buttons its viewer may press, its peer platforms'
card and who looked at its full number."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.citylink.models import OutboxMessage, Peer
from minxin.deadlines import calendar

from ..machine import APPEALS
from ..models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    Attachment,
    Extension,
    ExtensionStatus,
    PhoneReveal,
    Reply,
    Revisit,
    RevisitStatus,
    Supplement,
    Transfer,
    TransferStatus,
)
from ..workflow import OPEN_STATUSES, TRANSITIONS, Action
from .subdispatch import sub_assignment_pending, sub_units_for

if TYPE_CHECKING:
    from minxin.accounts.models import User


def pending_transfer(*, appeal: Appeal) -> Transfer | None:
    return (
        Transfer.objects.filter(appeal=appeal, status=TransferStatus.PENDING)
        .select_related("unit", "suggested_unit")
        .first()
    )


def pending_revisit(*, appeal: Appeal) -> Revisit | None:
    return Revisit.objects.filter(appeal=appeal, status=RevisitStatus.PENDING).first()


def pending_extension(*, appeal: Appeal) -> Extension | None:
    return Extension.objects.filter(appeal=appeal, status=ExtensionStatus.PENDING).first()


@dataclass(frozen=True)
class DeadlineFlag:
    level: str  # "overdue", "near", "ok", "" (no clock running)
    label: str


def deadline_flag(appeal: Appeal, now: datetime | None = None) -> DeadlineFlag:
    """Red when a running clock is past due, yellow when most of it is used."""
    now = now or timezone.now()
    if appeal.status not in OPEN_STATUSES:
        return DeadlineFlag("", "")
    near = float(settings.MINXIN["NEAR_DEADLINE_SHARE"])
    clocks = []
    if appeal.first_contacted_at is None and appeal.first_contact_due and appeal.dispatched_at:
        clocks.append(("先行联系", appeal.dispatched_at, appeal.first_contact_due))
    if appeal.resolve_due and appeal.dispatched_at:
        clocks.append(("办结", appeal.dispatched_at, appeal.resolve_due))
    worst = DeadlineFlag("ok", "正常")
    for name, start, due in clocks:
        state = calendar.deadline_state(start, due, now, near)
        if state == "overdue":
            return DeadlineFlag("overdue", f"{name}超期")
        if state == "near":
            worst = DeadlineFlag("near", f"{name}临期")
    return worst


def appeal_timeline(*, appeal: Appeal, public: bool = False) -> list[AppealEvent]:
    events = AppealEvent.objects.filter(appeal=appeal).select_related("actor", "actor_unit")
    rows = list(events.order_by("created_at", "id"))
    if public:
        hidden = {a.value for a, t in TRANSITIONS.items() if not t.public}
        rows = [e for e in rows if e.action not in hidden]
    return rows


def appeal_photos(*, appeal: Appeal) -> list[Attachment]:
    """The appeal's own photos (a supplement's and a reply's come with them:
    `appeal_supplements`, `appeal_replies`)."""
    return list(
        appeal.attachments.filter(supplement__isnull=True, reply__isnull=True).order_by("id")
    )


def appeal_replies(*, appeal: Appeal) -> list[Reply]:
    """The replies, oldest first, each with its unit and photos (two queries)."""
    return list(appeal.replies.select_related("unit").prefetch_related("photos"))


def appeal_supplements(*, appeal: Appeal) -> list[Supplement]:
    """What the citizen added (补充), oldest first, each with its photos."""
    return list(appeal.supplements.prefetch_related("photos").order_by("created_at", "id"))


def appeal_assignments(*, appeal: Appeal) -> list[Assignment]:
    return list(
        Assignment.objects.filter(appeal=appeal).select_related("unit").order_by("assigned_at")
    )


def actions_available(*, user: "User", appeal: Appeal) -> list[str]:
    """The buttons to show: the transition table filtered by this user's role and unit."""
    assignments = Assignment.objects.filter(appeal=appeal, is_active=True)
    # Extension and transfer buttons only make sense with (or without) a request waiting.
    hidden: set[Action] = (
        {Action.REQUEST_EXTENSION}
        if pending_extension(appeal=appeal) is not None
        else {Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION}
    )
    hidden |= (
        {Action.REQUEST_TRANSFER}
        if pending_transfer(appeal=appeal) is not None
        else {Action.APPROVE_TRANSFER, Action.REFUSE_TRANSFER}
    )
    pending_sub = sub_assignment_pending(appeal=appeal)
    available = APPEALS.available(
        actor=Actor.of(user),
        status=appeal.status,
        lead_unit_id=appeal.lead_unit_id,
        assisting_unit_ids=frozenset(
            a.unit_id for a in assignments if a.role == AssignmentRole.ASSIST
        ),
        delegated_unit_ids=frozenset({pending_sub.unit_id} if pending_sub else ()),
    )
    if Action.FOLLOW_UP in available and pending_revisit(appeal=appeal) is None:
        hidden.add(Action.FOLLOW_UP)  # a call needs a revisit queued for it
    # 二级派单: one sub-task at a time, to a unit under the lead; a recall needs one pending.
    if pending_sub is not None:
        hidden.add(Action.SUB_DISPATCH)
    else:
        hidden.add(Action.SUB_RECALL)
        if Action.SUB_DISPATCH in available and not sub_units_for(user=user).exists():
            hidden.add(Action.SUB_DISPATCH)
    return [action for action in available if action not in hidden]


@dataclass(frozen=True)
class PeerLink:
    """The appeal page's 上下级平台 card: where a work order came from or went to, and the
    outbox's messages about it (docs/citylink.md)."""

    upstream_peer: Peer | None
    upstream_id: str
    upstream_due: datetime | None
    within_upstream_due: bool | None  # this side's deadline is not later than the peer's
    downstream_peer: Peer | None
    downstream_id: str
    messages: list[OutboxMessage]


def appeal_peer_link(*, appeal: Appeal) -> PeerLink | None:
    """None for an appeal no peer platform has part in (the card is not shown)."""
    if appeal.upstream_peer_id is None and appeal.downstream_peer_id is None:
        return None
    due = appeal.upstream_due
    return PeerLink(
        upstream_peer=appeal.upstream_peer,
        upstream_id=appeal.upstream_id,
        upstream_due=due,
        within_upstream_due=(
            appeal.resolve_due <= due if due is not None and appeal.resolve_due else None
        ),
        downstream_peer=appeal.downstream_peer,
        downstream_id=appeal.downstream_id,
        messages=list(
            OutboxMessage.objects.filter(appeal_id=appeal.pk).select_related("peer").order_by("id")
        ),
    )


def phone_reveals_of(*, appeal: Appeal) -> list[PhoneReveal]:
    """Who looked at this appeal's full number, newest first (the supervisors' card)."""
    reveals = PhoneReveal.objects.filter(appeal=appeal).select_related("actor", "actor_unit")
    return list(reveals.order_by("-created_at", "-id"))
