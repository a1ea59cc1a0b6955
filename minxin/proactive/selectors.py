"""What a viewer may see of proactive tasks, a new task's proposal from an appeal, and the
task's effect: were there fewer appeals about its matter in its place afterwards?"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, QuerySet, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import selectors as case_selectors
from minxin.cases.models import Appeal
from minxin.cases.volume import VolumeChange, volume_change
from minxin.core.errors import NotFound
from minxin.directory.models import Category, Region, RegionLevel, Unit

from .machine import MISSING
from .models import ProactiveTask, ProactiveTaskEvent, TaskSource
from .permissions import sees_every_task
from .seasonal import Month, month_shift, seasonal_proposals
from .services import TaskDraft


def tasks_for(viewer: User) -> QuerySet[ProactiveTask]:
    """Every task for the office, the unit's own for a handler, none for anyone else."""
    tasks = ProactiveTask.objects.select_related("unit", "category", "region", "source_appeal")
    if sees_every_task(viewer):
        return tasks.order_by("-proposed_at", "-pk")
    if viewer.role == Role.HANDLER and viewer.unit_id is not None:
        return tasks.filter(unit_id=viewer.unit_id).order_by("-proposed_at", "-pk")
    return tasks.none()


def task_get_for(viewer: User, task_id: int) -> ProactiveTask:
    task = tasks_for(viewer).select_related("proposed_by").filter(pk=task_id).first()
    if task is None:
        raise NotFound(MISSING)
    return task


def task_history(task: ProactiveTask) -> QuerySet[ProactiveTaskEvent]:
    return task.events.select_related("actor").order_by("created_at", "pk")


def draft_from_appeal(viewer: User, appeal_id: int, source: str) -> TaskDraft:
    """A task proposed from a hotspot or a repeat matter (the appeal the others were merged
    into): its category and place, the unit that handles it, and a first wording the
    proposer edits. The viewer must be allowed to see the appeal."""
    appeal = case_selectors.appeal_get_for(user=viewer, appeal_id=appeal_id)
    merged = Appeal.objects.filter(merged_into_id=appeal.pk).count()
    place = appeal.place_text or (appeal.region.name if appeal.region else "")
    kind = TaskSource(source).label if source in TaskSource.values else TaskSource.HOTSPOT.label
    return TaskDraft(
        title=f"{place}·{appeal.title}"[:200] if place else appeal.title[:200],
        content=(
            f"{kind}：{appeal.tracking_number}「{appeal.title}」及合并的{merged}件诉求。"
            "请在群众再次反映前主动排查、处置，并将结果报回。"
        ),
        unit_id=appeal.lead_unit_id,
        due_at=None,
        category_id=appeal.category_id,
        region_id=appeal.region_id,
        source=source if source in TaskSource.values else TaskSource.HOTSPOT,
        source_appeal_id=appeal.pk,
    )


def task_effect(task: ProactiveTask, *, now: datetime | None = None) -> VolumeChange:
    """Appeals of the task's matter in its place before it was proposed and after it was
    completed, beside the rest of the district and the places most like its own
    (`cases.volume`)."""
    return volume_change(
        categories=[task.category] if task.category else [],
        regions=[task.region] if task.region else [],
        start=task.proposed_at,
        done=task.completed_at,
        now=now or timezone.now(),
        similar=True,
    )


@dataclass(frozen=True)
class SeasonalSuggestion:
    """A matter in a subdistrict that rose in the coming month a year ago: a task to propose
    before it rises again (the rule: proactive/seasonal.py)."""

    category: Category
    region: Region
    unit: Unit | None  # the unit that led most of that month's appeals a year ago
    target: Month
    last_year: int
    mean: float


# Appeals of a community count for its subdistrict; a leaf category for its top level.
_STREET = Case(
    When(region__level=RegionLevel.COMMUNITY, then=F("region__parent")),
    default=F("region"),
    output_field=IntegerField(),
)
_TOP = Case(
    When(category__level=3, then=F("category__parent__parent")),
    When(category__level=2, then=F("category__parent")),
    default=F("category"),
    output_field=IntegerField(),
)
SUGGESTIONS_CACHED = 3600  # seconds: a year's monthly counts change slowly


def seasonal_suggestions(*, now: datetime | None = None) -> list[SeasonalSuggestion]:
    """The coming month's seasonal proposals (the month that starts within the next two
    weeks), from the appeals of the 24 months before it; at most 10, cached for an hour."""
    now = now or timezone.now()
    day = timezone.localdate(now) + timedelta(days=15)
    target: Month = (day.year, day.month)
    key = f"proactive:seasonal:{target[0]}-{target[1]:02d}"
    found: list[SeasonalSuggestion] | None = cache.get(key)
    if found is None:
        found = _seasonal(target)
        cache.set(key, found, SUGGESTIONS_CACHED)
    return found


def _month_start(month: Month) -> datetime:
    return datetime(month[0], month[1], 1, tzinfo=timezone.get_current_timezone())


def _seasonal(target: Month) -> list[SeasonalSuggestion]:
    rows = (
        Appeal.objects.filter(
            received_at__gte=_month_start(month_shift(target, -24)),
            received_at__lt=_month_start(target),
            category__isnull=False,
            region__isnull=False,
        )
        .annotate(
            top=_TOP,
            street=_STREET,
            year=ExtractYear("received_at"),
            month=ExtractMonth("received_at"),
        )
        .values("top", "street", "year", "month")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[int, int], dict[Month, int]] = defaultdict(dict)
    for row in rows:
        counts[(row["top"], row["street"])][(row["year"], row["month"])] = row["n"]
    proposals = seasonal_proposals(counts, target)[:10]
    pairs = [cast("tuple[int, int]", p.pair) for p in proposals]
    categories = Category.objects.in_bulk([c for c, _ in pairs])
    regions = Region.objects.in_bulk([r for _, r in pairs])
    units = _units_a_year_ago(pairs, month_shift(target, -12))
    return [
        SeasonalSuggestion(
            category=categories[pair[0]],
            region=regions[pair[1]],
            unit=units.get(pair),
            target=target,
            last_year=p.last_year,
            mean=round(p.mean, 1),
        )
        for pair, p in zip(pairs, proposals, strict=True)
    ]


def _units_a_year_ago(pairs: list[tuple[int, int]], month: Month) -> dict[tuple[int, int], Unit]:
    if not pairs:
        return {}
    led = (
        Appeal.objects.filter(
            received_at__gte=_month_start(month),
            received_at__lt=_month_start(month_shift(month, 1)),
            lead_unit__isnull=False,
        )
        .annotate(top=_TOP, street=_STREET)
        .values_list("top", "street", "lead_unit")
    )
    wanted = set(pairs)
    votes: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    for top, street, unit in led:
        if (top, street) in wanted:
            votes[(top, street)][unit] += 1
    chosen = {pair: c.most_common(1)[0][0] for pair, c in votes.items()}
    units = Unit.objects.in_bulk(set(chosen.values()))
    return {pair: units[u] for pair, u in chosen.items()}
