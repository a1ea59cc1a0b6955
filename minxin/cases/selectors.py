"""Every read of appeals, taking the viewer: out-of-scope and missing are the same 404."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.core.errors import NotFound
from minxin.deadlines import calendar

from .machine import APPEALS
from .models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    Extension,
    ExtensionStatus,
    PhoneReveal,
)
from .permissions import sees_whole_district
from .workflow import OPEN_STATUSES, TRANSITIONS, Action, AppealStatus

if TYPE_CHECKING:
    from minxin.accounts.models import User

LIST_RELATED = ("category", "region", "lead_unit")


def appeal_scope_for(*, user: "User") -> QuerySet[Appeal]:
    """The appeals a member of staff may see at all."""
    appeals = Appeal.objects.all()
    if sees_whole_district(user):
        return appeals
    if user.role == Role.HANDLER and user.unit_id is not None:
        mine = Assignment.objects.filter(
            appeal_id=OuterRef("pk"), unit_id=user.unit_id, is_active=True
        )
        return appeals.filter(Exists(mine))
    return appeals.none()


def appeal_get_for(*, user: "User", appeal_id: int) -> Appeal:
    appeal = (
        appeal_scope_for(user=user)
        .select_related(*LIST_RELATED, "merged_into")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound
    return appeal


def appeal_visible_to(*, user: "User", appeal_id: int) -> bool:
    """Whether the viewer still sees the appeal (a handler's unit that returned it does not)."""
    return appeal_scope_for(user=user).filter(pk=appeal_id).exists()


def appeal_get_for_citizen(*, tracking_number: str, query_code: str) -> Appeal:
    """The citizen sees only the appeal whose number and code they hold; one error for both."""
    appeal = (
        Appeal.objects.select_related("lead_unit")
        .filter(tracking_number=tracking_number.strip())
        .first()
    )
    if appeal is None or not constant_time_compare(appeal.query_code, query_code.strip().upper()):
        raise NotFound("受理编号或查询码不正确，请核对后重试")
    return appeal


# The list's pseudo-statuses: "在办（全部）", every open status (dispatched, accepted, in
# progress); "临期", the open ones near a deadline and not yet past it (the dashboard's tile).
OPEN_FILTER = "open"
NEAR_FILTER = "near"


# The list's orders: newest first (the default), oldest first, the nearest deadline first.
SORTS = [("", "受理时间（新→旧）"), ("received", "受理时间（旧→新）"), ("due", "办结时限（近→远）")]
_ORDER = {
    "": ("-received_at", "-id"),
    "received": ("received_at", "id"),
    "due": (F("resolve_due").asc(nulls_last=True), "received_at", "id"),
}


@dataclass
class AppealFilters:
    status: str = ""
    unit_id: int | None = None
    category_id: int | None = None
    region_id: int | None = None
    channel: str = ""
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""  # tracking number or words of the title
    statuses: list[str] = field(default_factory=list)
    sort: str = ""  # a key of _ORDER


def appeal_list_for(*, user: "User", filters: AppealFilters) -> QuerySet[Appeal]:
    """Filtered in the database, newest first; callers paginate."""
    appeals = appeal_scope_for(user=user).select_related(*LIST_RELATED)
    if filters.status == OPEN_FILTER:
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    elif filters.status == NEAR_FILTER:
        appeals = appeals.filter(near_deadline_q() & ~overdue_q(timezone.now()))
    elif filters.status:
        appeals = appeals.filter(status=filters.status)
    if filters.statuses:
        appeals = appeals.filter(status__in=filters.statuses)
    if filters.unit_id:
        appeals = appeals.filter(lead_unit_id=filters.unit_id)
    if filters.category_id:
        appeals = appeals.filter(
            Q(category_id=filters.category_id)
            | Q(category__parent_id=filters.category_id)
            | Q(category__parent__parent_id=filters.category_id)
        )
    if filters.region_id:
        appeals = appeals.filter(
            Q(region_id=filters.region_id)
            | Q(region__parent_id=filters.region_id)
            | Q(region__parent__parent_id=filters.region_id)
        )
    if filters.channel:
        appeals = appeals.filter(channel=filters.channel)
    if filters.overdue:
        appeals = appeals.filter(overdue_q(timezone.now()))
    tz = timezone.get_current_timezone()
    if filters.received_from:
        appeals = appeals.filter(
            received_at__gte=datetime.combine(filters.received_from, time.min, tzinfo=tz)
        )
    if filters.received_to:
        appeals = appeals.filter(
            received_at__lt=datetime.combine(
                filters.received_to + timedelta(days=1), time.min, tzinfo=tz
            )
        )
    if filters.q:
        q = filters.q.strip()
        appeals = appeals.filter(Q(tracking_number=q) if q.isdigit() else Q(title__icontains=q))
    return appeals.order_by(*_ORDER.get(filters.sort, _ORDER[""]))


def overdue_q(now: datetime) -> Q:
    """Open appeals past a deadline: first contact not made in time, or not resolved in time."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(resolve_due__lt=now) | Q(first_contacted_at__isnull=True, first_contact_due__lt=now)
    )


def near_deadline_q() -> Q:
    """Open appeals with a yellow warning for the deadline they now have: the same rule as the
    dashboard's count (`metrics.selectors.near_deadline_q`; tests/cases/test_workbench_bugs.py keeps
    the two equal). The warnings are supervision's (`deadline_warnings_raise` measures the
    working time used); cases sits below supervision, so they are reached through the reverse
    relation rather than an import."""
    warnings = Appeal._meta.get_field("deadline_warnings").related_model._default_manager
    yellow = warnings.filter(appeal=OuterRef("pk"), level="yellow")
    return Q(status__in=OPEN_STATUSES) & (
        Q(Exists(yellow.filter(clock="resolve", due=OuterRef("resolve_due"))))
        | Q(
            Exists(yellow.filter(clock="first_contact", due=OuterRef("first_contact_due"))),
            first_contacted_at__isnull=True,
        )
    )


def _queue(user: "User", status: str) -> QuerySet[Appeal]:
    """The viewer's appeals in one status, oldest first (a queue is worked from its head)."""
    return (
        appeal_scope_for(user=user)
        .filter(status=status)
        .select_related(*LIST_RELATED)
        .order_by("received_at", "id")
    )


def screening_queue(*, user: "User", returned: bool = False) -> QuerySet[Appeal]:
    return _queue(user, AppealStatus.RETURNED if returned else AppealStatus.RECEIVED)


def screened_queue(*, user: "User") -> QuerySet[Appeal]:
    return _queue(user, AppealStatus.SCREENED)


def extension_requests(*, user: "User") -> QuerySet[Extension]:
    return (
        Extension.objects.filter(
            status=ExtensionStatus.PENDING, appeal__in=appeal_scope_for(user=user)
        )
        .select_related("appeal", "unit", "requested_by")
        .order_by("created_at")
    )


def follow_up_queue(*, user: "User") -> QuerySet[Appeal]:
    return _queue(user, AppealStatus.FOLLOW_UP).order_by("resolved_at", "id")


def unit_queue(*, user: "User", include_done: bool = False) -> QuerySet[Appeal]:
    """The viewer's unit's appeals, the nearest deadline first (overdue ones lead); nothing
    for a member of staff without a unit."""
    if user.unit_id is None:
        return Appeal.objects.none()
    mine = Assignment.objects.filter(appeal_id=OuterRef("pk"), unit_id=user.unit_id, is_active=True)
    appeals = Appeal.objects.filter(Exists(mine)).select_related(*LIST_RELATED)
    if not include_done:
        appeals = appeals.filter(
            status__in=[*OPEN_STATUSES, AppealStatus.SUSPENDED, AppealStatus.DISPATCHED]
        )
    return appeals.order_by(F("resolve_due").asc(nulls_last=True), "received_at")


def appeals_led(appeal_ids: list[int]) -> set[int]:
    """Which of these appeals a district leader has taken in charge (领导包案: supervision's
    LeaderCase, reached by its reverse relation so that cases imports nothing above it)."""
    if not appeal_ids:
        return set()
    led = Appeal.objects.filter(pk__in=appeal_ids, leader_cases__isnull=False)
    return set(led.values_list("pk", flat=True))


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


def appeal_assignments(*, appeal: Appeal) -> list[Assignment]:
    return list(
        Assignment.objects.filter(appeal=appeal).select_related("unit").order_by("assigned_at")
    )


def appeals_by_phone(*, user: "User", phone: str, limit: int = 10) -> QuerySet[Appeal]:
    """The caller's earlier appeals the viewer may see (the call-taker: all), exact number
    match, newest first."""
    phone = phone.strip().replace(" ", "")
    if not phone:
        return Appeal.objects.none()
    return (
        appeal_scope_for(user=user)
        .filter(appellant_phone=phone)
        .select_related(*LIST_RELATED)
        .order_by("-received_at")[:limit]
    )


def actions_available(*, user: "User", appeal: Appeal) -> list[str]:
    """The buttons to show: the transition table filtered by this user's role and unit."""
    assignments = Assignment.objects.filter(appeal=appeal, is_active=True)
    # Extension buttons only make sense with (or without) a request waiting.
    hidden = (
        {Action.REQUEST_EXTENSION}
        if pending_extension(appeal=appeal) is not None
        else {Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION}
    )
    available = APPEALS.available(
        actor=Actor.of(user),
        status=appeal.status,
        lead_unit_id=appeal.lead_unit_id,
        assisting_unit_ids=frozenset(
            a.unit_id for a in assignments if a.role == AssignmentRole.ASSIST
        ),
    )
    return [action for action in available if action not in hidden]


def pending_extension(*, appeal: Appeal) -> Extension | None:
    return Extension.objects.filter(appeal=appeal, status=ExtensionStatus.PENDING).first()


def last_events_by_appeal(*, appeal_ids: list[int], action: Action) -> dict[int, AppealEvent]:
    """The latest event of one kind for each of a page of appeals, in one query."""
    latest: dict[int, AppealEvent] = {}
    events = (
        AppealEvent.objects.filter(appeal_id__in=appeal_ids, action=action)
        .select_related("actor_unit")
        .order_by("appeal_id", "created_at", "id")
    )
    for event in events:
        latest[event.appeal_id] = event
    return latest


def phone_reveals_of(*, appeal: Appeal) -> list[PhoneReveal]:
    """Who looked at this appeal's full number, newest first (the supervisors' card)."""
    reveals = PhoneReveal.objects.filter(appeal=appeal).select_related("actor", "actor_unit")
    return list(reveals.order_by("-created_at", "-id"))


def phone_reveal_list() -> QuerySet[PhoneReveal]:
    """Every reveal, newest first, for the supervisors' page; callers paginate."""
    return PhoneReveal.objects.select_related("appeal", "actor", "actor_unit").order_by(
        "-created_at", "-id"
    )
