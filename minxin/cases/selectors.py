"""Every read of appeals, taking the viewer: out-of-scope and missing are the same 404."""

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.citylink.models import OutboxMessage, Peer
from minxin.core.errors import NotFound
from minxin.core.privacy import phone_forms
from minxin.core.search import SearchQuery, few_matches, search_filter, title_first
from minxin.deadlines import calendar
from minxin.deadlines.models import Urgency
from minxin.directory.models import CHILD_KINDS, Unit
from minxin.directory.selectors import categories_and_below, regions_and_below

from .machine import APPEALS
from .models import (
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
    SubAssignment,
    SubAssignmentStatus,
    Supplement,
    Transfer,
    TransferStatus,
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
        return appeals.filter(_units_appeals_q(user.unit_id, include_done=True))
    return appeals.none()


# A community sees what its street passed down to it while it holds it and after it reported
# back; a recalled sub-task leaves its scope (as a return leaves the lead's).
_SUB_SEEN = (SubAssignmentStatus.PENDING, SubAssignmentStatus.REPORTED)


def _units_appeals_q(unit_id: int, *, include_done: bool) -> Q:
    """A unit's appeals: those with an active assignment of it (lead or assisting), and those
    its street passed down to it (二级派单): pending, or reported too with `include_done`."""
    mine = Assignment.objects.filter(unit_id=unit_id, is_active=True).values("appeal_id")
    statuses = _SUB_SEEN if include_done else (SubAssignmentStatus.PENDING,)
    passed_down = SubAssignment.objects.filter(unit_id=unit_id, status__in=statuses)
    if not passed_down.exists():
        # Most units (every street and department) never hold a sub-task: a plain IN lets the
        # database plan it as a join with its statistics of the unit, walking the list's own
        # order and probing the unit's assignments when the unit holds many appeals (measured
        # in bench/README.md, "search"); a UNION would be read whole first.
        return Q(pk__in=mine)
    # One list of ids (a UNION), not two EXISTS joined by OR: the database starts from the
    # unit's assignments (its index) instead of checking every appeal of the district.
    return Q(pk__in=mine.order_by().union(passed_down.order_by().values("appeal_id")))


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
SORTS = [
    ("", "受理时间（新→旧）；搜索时标题命中在前"),
    ("received", "受理时间（旧→新）"),
    ("due", "办结时限（近→远）"),
]
# The most urgent first: 特急, 紧急, 一般 (the values are words, not an order).
_URGENCY_RANK = Case(
    When(urgency=Urgency.CRITICAL, then=Value(0)),
    When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
_ORDER = {
    "": ("-received_at", "-id"),
    "newest": ("-received_at", "-id"),
    "received": ("received_at", "id"),
    "due": (F("resolve_due").asc(nulls_last=True), "received_at", "id"),
    "urgency": (_URGENCY_RANK, "received_at", "id"),
}
# The screening queue's orders (甄别派单): a queue is worked from its head, the oldest first.
QUEUE_SORTS = [
    ("received", "受理时间（旧→新）"),
    ("newest", "受理时间（新→旧）"),
    ("urgency", "紧急程度（特急在前）"),
]


@dataclass
class AppealFilters:
    status: str = ""
    unit_id: int | None = None
    category_id: int | None = None
    region_id: int | None = None
    channel: str = ""
    kind: str = ""
    urgency: str = ""
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""  # a tracking number, or words of the title and content
    statuses: list[str] = field(default_factory=list)
    sort: str = ""  # a key of _ORDER

    @property
    def search(self) -> SearchQuery | None:
        """The words to search (ValidationFailed for what cannot be searched); None for no
        words or a tracking number."""
        q = self.q.strip()
        if not q or is_tracking_number(q):
            return None
        return SearchQuery.parse(q)


_TRACKING_NUMBER = re.compile(r"(?:C\d+-)?\d{6,20}")


def is_tracking_number(text: str) -> bool:
    """A tracking number typed whole (digits; the benchmark's copies carry a "C<k>-" prefix)."""
    return bool(_TRACKING_NUMBER.fullmatch(text))


def appeals_searched(appeals: QuerySet[Appeal], q: str) -> QuerySet[Appeal]:
    """The appeals with this tracking number, or holding every word of `q` in their title or
    content (minxin/core/search.py); callers rank them (`title_first`)."""
    q = q.strip()
    if not q:
        return appeals
    if is_tracking_number(q):
        return appeals.filter(tracking_number=q)
    return search_filter(appeals, SearchQuery.parse(q), fields=["title", "content"])


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
        appeals = appeals.filter(category_id__in=categories_and_below(filters.category_id))
    if filters.region_id:
        appeals = appeals.filter(region_id__in=regions_and_below(filters.region_id))
    if filters.channel:
        appeals = appeals.filter(channel=filters.channel)
    if filters.kind:
        appeals = appeals.filter(kind=filters.kind)
    if filters.urgency:
        appeals = appeals.filter(urgency=filters.urgency)
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
    order: tuple[Any, ...] = _ORDER.get(filters.sort, _ORDER[""])
    appeals = appeals_searched(appeals, filters.q)
    search = filters.search  # every word in the title first, while they are few
    if search and not filters.sort and few_matches(appeals):
        order = (title_first(search), *order)
    return appeals.order_by(*order)


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


def queue_filtered(*, user: "User", status: str, filters: AppealFilters) -> QuerySet[Appeal]:
    """A queue (one status) narrowed by the dispatcher's filters and in the chosen order, the
    oldest first unless another is chosen; the same scope and filters as `appeal_list_for`."""
    chosen = replace(filters, status=status, statuses=[], sort=filters.sort or "received")
    return appeal_list_for(user=user, filters=chosen)


def extension_requests(*, user: "User") -> QuerySet[Extension]:
    return (
        Extension.objects.filter(
            status=ExtensionStatus.PENDING, appeal__in=appeal_scope_for(user=user)
        )
        .select_related("appeal", "unit", "requested_by")
        .order_by("created_at")
    )


def transfer_requests(*, user: "User") -> QuerySet[Transfer]:
    """Transfer requests waiting for the dispatcher (转办审批), the oldest first; callers
    paginate."""
    return (
        Transfer.objects.filter(
            status=TransferStatus.PENDING, appeal__in=appeal_scope_for(user=user)
        )
        .select_related("appeal", "unit", "suggested_unit", "requested_by")
        .order_by("created_at", "id")
    )


def pending_transfer(*, appeal: Appeal) -> Transfer | None:
    return (
        Transfer.objects.filter(appeal=appeal, status=TransferStatus.PENDING)
        .select_related("unit", "suggested_unit")
        .first()
    )


def follow_up_queue(*, user: "User") -> QuerySet[Appeal]:
    return _queue(user, AppealStatus.FOLLOW_UP).order_by("resolved_at", "id")


def pending_revisit(*, appeal: Appeal) -> Revisit | None:
    return Revisit.objects.filter(appeal=appeal, status=RevisitStatus.PENDING).first()


def revisit_queue(*, user: "User") -> QuerySet[Revisit]:
    """Revisits still to call (回访), the oldest first: every dissatisfied appeal and the
    sampled ones, of the appeals the viewer sees; callers paginate."""
    return (
        Revisit.objects.filter(status=RevisitStatus.PENDING, appeal__in=appeal_scope_for(user=user))
        .select_related("appeal", "appeal__lead_unit", "appeal__category")
        .order_by("created_at", "id")
    )


def unit_queue(*, user: "User", include_done: bool = False, q: str = "") -> QuerySet[Appeal]:
    """The viewer's unit's appeals, the nearest deadline first (overdue ones lead), or with
    `include_done` its whole history, the newest first; nothing for a member of staff without
    a unit. Searched (`q`): the hits, title hits first while they are few."""
    if user.unit_id is None:
        return Appeal.objects.none()
    mine = _units_appeals_q(user.unit_id, include_done=include_done)
    appeals = Appeal.objects.filter(mine).select_related(*LIST_RELATED)
    if not include_done:
        appeals = appeals.filter(
            status__in=[*OPEN_STATUSES, AppealStatus.SUSPENDED, AppealStatus.DISPATCHED]
        )
    search = AppealFilters(q=q).search
    if search:  # the newest first; every word in the title before them while few match
        found = appeals_searched(appeals, q)
        rank = (title_first(search),) if few_matches(found) else ()
        return found.order_by(*rank, "-received_at", "-id")
    appeals = appeals_searched(appeals, q)  # a tracking number, or nothing
    if include_done:  # the whole history: the newest first, as the district's list
        return appeals.order_by("-received_at", "-id")
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


def appeals_by_phone(*, user: "User", phone: str, limit: int = 10) -> QuerySet[Appeal]:
    """The caller's earlier appeals the viewer may see (the call-taker: all), exact number
    match (a landline with or without its dash), newest first."""
    forms = phone_forms(phone)
    if not forms:
        return Appeal.objects.none()
    return (
        appeal_scope_for(user=user)
        .filter(appellant_phone__in=forms)
        .select_related(*LIST_RELATED)
        .order_by("-received_at")[:limit]
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


# --- 二级派单: sub-tasks passed down from a street to its communities and grid units --------


def sub_assignment_pending(*, appeal: Appeal) -> SubAssignment | None:
    return (
        SubAssignment.objects.select_related("unit")
        .filter(appeal=appeal, status=SubAssignmentStatus.PENDING)
        .first()
    )


def sub_assignments_of(*, appeal: Appeal) -> list[SubAssignment]:
    """Every sub-task of the appeal, oldest first (the appeal page's card)."""
    return list(
        SubAssignment.objects.filter(appeal=appeal)
        .select_related("unit", "assigned_by", "reported_by")
        .order_by("assigned_at", "id")
    )


def sub_units_for(*, user: "User") -> QuerySet[Unit]:
    """The active community and grid units under the viewer's unit (its children and their
    children): where its handler may pass an appeal down to."""
    if user.unit_id is None:
        return Unit.objects.none()
    return (
        Unit.objects.filter(is_active=True, kind__in=CHILD_KINDS)
        .filter(Q(parent_id=user.unit_id) | Q(parent__parent_id=user.unit_id))
        .select_related("parent")
        .order_by("parent__name", "kind", "name")
    )


def sub_due_suggested(*, appeal: Appeal, now: datetime | None = None) -> datetime | None:
    """What the sub-dispatch form offers as the community's deadline: halfway between now and
    the appeal's own, to the minute, so the street keeps time to check the report and reply."""
    now = now or timezone.now()
    if appeal.resolve_due is None or appeal.resolve_due <= now:
        return None
    return (now + (appeal.resolve_due - now) / 2).replace(second=0, microsecond=0)


def sub_pending_by_appeal(*, appeal_ids: list[int]) -> dict[int, SubAssignment]:
    """The pending sub-task of each of a page of appeals, in one query (the unit queue)."""
    if not appeal_ids:
        return {}
    rows = SubAssignment.objects.filter(
        appeal_id__in=appeal_ids, status=SubAssignmentStatus.PENDING
    ).select_related("unit")
    return {row.appeal_id: row for row in rows}


SUB_TABS = ("pending", "overdue", "all")


def sub_tasks_for(*, user: "User", tab: str = "pending") -> QuerySet[SubAssignment]:
    """The sub-tasks the viewer's unit passed down (a street's view of its communities):
    pending ones by their deadline (the overdue lead), or those past their deadline, or all,
    newest first; callers paginate."""
    if user.role != Role.HANDLER or user.unit_id is None:
        return SubAssignment.objects.none()
    rows = SubAssignment.objects.filter(from_unit_id=user.unit_id).select_related(
        "appeal", "unit", "assigned_by"
    )
    if tab == "pending":
        return rows.filter(status=SubAssignmentStatus.PENDING).order_by("due_at", "id")
    if tab == "overdue":
        late = Q(status=SubAssignmentStatus.PENDING, due_at__lt=timezone.now()) | Q(
            status=SubAssignmentStatus.REPORTED, reported_at__gt=F("due_at")
        )
        return rows.filter(late).order_by("due_at", "id")
    return rows.order_by("-assigned_at", "-id")


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


def phone_reveal_list() -> QuerySet[PhoneReveal]:
    """Every reveal, newest first, for the supervisors' page; callers paginate."""
    return PhoneReveal.objects.select_related("appeal", "actor", "actor_unit").order_by(
        "-created_at", "-id"
    )
