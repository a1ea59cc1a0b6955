"""Lists of appeals: the district's list with its filters, orders and search, the queues each
role works from its head, the unit's queue, and the other lists staff page through."""

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from minxin.core.privacy import phone_forms
from minxin.core.queries import filtered
from minxin.core.search import SearchQuery, few_matches, search_filter, title_first
from minxin.deadlines.calendar import day_start
from minxin.deadlines.models import Urgency
from minxin.directory.selectors import categories_and_below, of_district, regions_and_below

from ..models import (
    Appeal,
    AppealEvent,
    Extension,
    ExtensionStatus,
    PhoneReveal,
    Revisit,
    RevisitStatus,
    Transfer,
    TransferStatus,
)
from ..workflow import OPEN_STATUSES, UNIT_QUEUE_STATUSES, Action, AppealStatus
from .scope import LIST_RELATED, appeal_scope_for, unit_appeals_q

if TYPE_CHECKING:
    from minxin.accounts.models import User

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
    # One district's, for the city's staff (a district's are scoped to theirs already).
    jurisdiction_id: int | None = None

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
    if filters.jurisdiction_id:
        # The district's own list's condition (index appeal_juris); none of another district
        # for a district's staff, whose scope already holds theirs.
        appeals = appeals.filter(of_district(filters.jurisdiction_id))
    if filters.status == OPEN_FILTER:
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    elif filters.status == NEAR_FILTER:
        appeals = appeals.filter(near_deadline_q() & ~overdue_q(timezone.now()))
    elif filters.status:
        appeals = appeals.filter(status=filters.status)
    appeals = filtered(appeals, status__in=filters.statuses, lead_unit_id=filters.unit_id)
    if filters.category_id:
        appeals = appeals.filter(category_id__in=categories_and_below(filters.category_id))
    if filters.region_id:
        appeals = appeals.filter(region_id__in=regions_and_below(filters.region_id))
    appeals = filtered(appeals, channel=filters.channel, kind=filters.kind, urgency=filters.urgency)
    if filters.overdue:
        appeals = appeals.filter(overdue_q(timezone.now()))
    if filters.received_from:
        appeals = appeals.filter(received_at__gte=day_start(filters.received_from))
    if filters.received_to:
        appeals = appeals.filter(received_at__lt=day_start(filters.received_to + timedelta(days=1)))
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


def follow_up_queue(*, user: "User") -> QuerySet[Appeal]:
    return _queue(user, AppealStatus.FOLLOW_UP).order_by("resolved_at", "id")


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
    mine = unit_appeals_q(user.unit_id, include_done=include_done)
    appeals = Appeal.objects.filter(mine).select_related(*LIST_RELATED)
    if not include_done:
        appeals = appeals.filter(status__in=sorted(UNIT_QUEUE_STATUSES))
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


def phone_reveal_list() -> QuerySet[PhoneReveal]:
    """Every reveal, newest first, for the supervisors' page; callers paginate."""
    return PhoneReveal.objects.select_related("appeal", "actor", "actor_unit").order_by(
        "-created_at", "-id"
    )
