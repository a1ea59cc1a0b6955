"""What a viewer may see of issue lists: the lists and their items (急/难, overdue and
closing first), an item with its links and timeline, the appeals that may fall under an item,
and the ranking of units' lists the supervision office reviews."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.selectors import appeal_scope_for
from minxin.cases.volume import matter_q, place_q
from minxin.core.errors import NotFound
from minxin.core.queries import filtered
from minxin.directory.models import Unit
from minxin.triage.related import appeals_related

from .machine import MISSING
from .models import Difficulty, IssueItem, IssueItemEvent, IssueList, ItemAppeal, Urgency
from .permissions import sees_every_list
from .workflow import LIVE, ItemStatus

SUGGESTION_SCAN = 400  # the latest appeals of the item's matter and places looked at
SUGGESTIONS_SHOWN = 12


def items_for(viewer: User) -> QuerySet[IssueItem]:
    items = IssueItem.objects.select_related("issue_list__unit", "leader")
    if sees_every_list(viewer):
        return items
    if viewer.unit_id is not None:
        return items.filter(issue_list__unit_id=viewer.unit_id)
    return items.none()


def item_get_for(viewer: User, item_id: int) -> IssueItem:
    item = (
        items_for(viewer)
        .select_related("created_by")
        .prefetch_related("categories", "regions")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(MISSING)
    return item


def items_listed(
    viewer: User, *, unit_id: int | None = None, year: int | None = None, status: str = ""
) -> QuerySet[IssueItem]:
    """The items to work on first: live before closed, 急难 before 急 before 难, then by
    deadline; each with its linked appeals counted."""
    items = items_for(viewer)
    if unit_id is not None:
        items = items.filter(issue_list__unit_id=unit_id)
    if year is not None:
        items = items.filter(issue_list__year=year)
    items = filtered(items, status=status)
    return items.annotate(
        appeals=Count("appeal_links"),
        closed_sort=Q(status=ItemStatus.CLOSED),
        not_urgent=~Q(urgency=Urgency.URGENT),
        not_hard=~Q(difficulty=Difficulty.HARD),
    ).order_by("closed_sort", "not_urgent", "not_hard", "deadline", "pk")


def item_history(item: IssueItem) -> QuerySet[IssueItemEvent]:
    return item.events.select_related("actor").order_by("created_at", "pk")


def item_appeals(item: IssueItem, viewer: User) -> QuerySet[ItemAppeal]:
    """The linked appeals the viewer may see, latest first."""
    return (
        item.appeal_links.filter(appeal__in=appeal_scope_for(user=viewer))
        .select_related("appeal", "linked_by")
        .order_by("-appeal__received_at")
    )


def appeals_suggested(item: IssueItem, viewer: User) -> list[tuple[Mapping[str, Any], float]]:
    """Appeals not yet linked that may fall under the item: the latest of its categories in
    its places (what the viewer may see), scored on the item's words and named places. Staff
    confirm; nothing is linked by itself."""
    categories, regions = list(item.categories.all()), list(item.regions.all())
    if not categories and not regions:
        return []
    candidates = list(
        appeal_scope_for(user=viewer)
        .filter(matter_q(categories), place_q(regions), merged_into__isnull=True)
        .exclude(issue_item_links__item=item)
        .order_by("-received_at")
        .values("pk", "tracking_number", "title", "content", "received_at", "status")[
            :SUGGESTION_SCAN
        ]
    )
    about = " ".join([item.title, item.description, item.goal])
    return appeals_related(about, candidates, limit=SUGGESTIONS_SHOWN)


@dataclass(frozen=True)
class ListRank:
    """One unit's list of the year as the supervision office reviews it."""

    unit: Unit
    issue_list: IssueList
    items: int
    urgent_or_hard: int
    live: int
    overdue: int
    closed: int
    closed_on_time: int
    appeals: int
    last_activity: Any

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None


def lists_ranked(*, year: int, today: date | None = None) -> list[ListRank]:
    """Every unit's list of the year: fewest overdue items first, then the share closed on
    time, then the most closed. Two queries."""
    today = today or timezone.localdate()
    lists = list(IssueList.objects.filter(year=year).select_related("unit"))
    figures: dict[int, dict[str, Any]] = {
        row["issue_list"]: dict(row)
        for row in IssueItem.objects.filter(issue_list__in=lists)
        .values("issue_list")
        .annotate(
            items=Count("pk", distinct=True),
            urgent_or_hard=Count(
                "pk",
                filter=Q(urgency=Urgency.URGENT) | Q(difficulty=Difficulty.HARD),
                distinct=True,
            ),
            live=Count("pk", filter=Q(status__in=LIVE), distinct=True),
            overdue=Count("pk", filter=Q(status__in=LIVE, deadline__lt=today), distinct=True),
            closed=Count("pk", filter=Q(status=ItemStatus.CLOSED), distinct=True),
            closed_on_time=Count(
                "pk",
                filter=Q(
                    status=ItemStatus.CLOSED,
                    closed_at__date__lte=F("deadline"),
                ),
                distinct=True,
            ),
            appeals=Count("appeal_links", distinct=True),
            last_activity=Max("events__created_at"),
        )
    }
    ranks = []
    for issue_list in lists:
        row: dict[str, Any] = figures.get(issue_list.pk, {})
        ranks.append(
            ListRank(
                unit=issue_list.unit,
                issue_list=issue_list,
                items=row.get("items", 0),
                urgent_or_hard=row.get("urgent_or_hard", 0),
                live=row.get("live", 0),
                overdue=row.get("overdue", 0),
                closed=row.get("closed", 0),
                closed_on_time=row.get("closed_on_time", 0),
                appeals=row.get("appeals", 0),
                last_activity=row.get("last_activity"),
            )
        )
    ranks.sort(key=lambda r: (r.overdue, -(r.on_time_rate or 0), -r.closed, r.unit.name))
    return ranks


def overdue_count(viewer: User, *, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return items_for(viewer).filter(status__in=LIVE, deadline__lt=today).count()
