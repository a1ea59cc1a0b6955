"""One project's page: its targets (with their years), milestones, timeline, latest reports,
letters, linked appeals, orders and warnings; its reports, photos and letter scans; and
where its progress may be placed."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.cases.workflow import Satisfaction
from minxin.core.errors import NotFound
from minxin.directory.models import Region, RegionLevel
from minxin.supervision.models import SupervisionOrder

from ..models import (
    Milestone,
    ProgressPhoto,
    ProgressReport,
    Project,
    ProjectEvent,
    ProjectPoint,
    ProjectWarning,
    ResponsibilityLetter,
    Target,
)
from ..schedule import achieved_by_year, gap, is_behind, target_share, time_share
from ..workflow import ProjectStatus
from .scope import project_for

TIMELINE_ROWS = 100
REPORTS_SHOWN = 20  # the latest progress reports on the project page; the rest paginated


@dataclass(frozen=True)
class YearView:
    """A multi-year target's part for a year, and what was reached within that year."""

    year: int
    value: Decimal
    achieved: Decimal
    share: float
    ahead: bool  # a year still to come


@dataclass(frozen=True)
class TargetView:
    target: Target
    share: float
    years: list[YearView]


@dataclass(frozen=True)
class MilestoneView:
    milestone: Milestone
    late: bool  # past its planned end, not done
    late_days: int  # done late by, or overdue by


@dataclass(frozen=True)
class AppealsLinked:
    count: int
    rated: int
    satisfied: int
    latest: Sequence[Mapping[str, Any]]

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


@dataclass(frozen=True)
class ProjectPage:
    project: Project
    elapsed: float
    gap: float
    behind: bool
    targets: list[TargetView]
    milestones: list[MilestoneView]
    timeline: list[ProjectEvent]
    reports: list[ProgressReport]  # the latest REPORTS_SHOWN (+1: whether there are more)
    letters: list[ResponsibilityLetter]
    appeals: AppealsLinked
    orders: list[SupervisionOrder]
    warnings: list[ProjectWarning]
    assisting: list[str]
    regions: list[str]
    points: list[ProjectPoint]  # its points on the map
    places: list[Region]  # where a progress report may be placed


def project_page(viewer: User, project_id: int, *, today: date | None = None) -> ProjectPage:
    project = project_for(viewer, project_id)
    today = today or timezone.localdate()
    elapsed = time_share(project.start_date, project.end_date, today)
    targets = list(project.targets.select_related("unit").prefetch_related("years"))
    reported = _reported_by_year([t.pk for t in targets if t.years.all()])
    milestones = list(project.milestones.select_related("unit"))
    timeline = list(
        ProjectEvent.objects.filter(project=project)
        .select_related("actor", "actor_unit")
        .order_by("-created_at", "-id")[:TIMELINE_ROWS]
    )
    live = project.status == ProjectStatus.IN_PROGRESS
    return ProjectPage(
        project=project,
        elapsed=elapsed,
        gap=gap(project.progress, elapsed),
        behind=live and is_behind(project.progress, elapsed, project.programme.behind_margin),
        targets=[
            TargetView(
                t, target_share(t.achieved, t.value), _years(t, reported.get(t.pk, []), today)
            )
            for t in targets
        ],
        milestones=[_milestone(m, today) for m in milestones],
        timeline=timeline,
        reports=list(reports_of(project)[: REPORTS_SHOWN + 1]),
        letters=list(project.letters.select_related("unit").prefetch_related("targets")),
        appeals=_appeals_linked(project),
        orders=list(
            SupervisionOrder.objects.filter(
                about_link=reverse("projects:project_detail", args=[project.pk])
            )
            .select_related("unit")
            .order_by("-issued_at")[:20]
        ),
        warnings=list(project.warnings.select_related("milestone").order_by("-created_at")[:10]),
        assisting=list(project.assisting_units.values_list("name", flat=True)),
        regions=list(project.regions.values_list("name", flat=True)),
        points=list(project.points.all()),
        places=report_places([project.pk]).get(project.pk, []),
    )


def _reported_by_year(target_ids: Sequence[int]) -> dict[int, list[tuple[int, Decimal]]]:
    """Each target's reports as (the local year, the cumulative value), in time order: one
    query, only for targets cut into years."""
    found: dict[int, list[tuple[int, Decimal]]] = {}
    if not target_ids:
        return found
    rows = (
        ProgressReport.objects.filter(target_id__in=target_ids)
        .order_by("reported_at", "pk")
        .values_list("target_id", "reported_at", "value")
    )
    for target_id, at, value in rows:
        found.setdefault(target_id, []).append((timezone.localtime(at).year, value))
    return found


def _years(target: Target, reports: Sequence[tuple[int, Decimal]], today: date) -> list[YearView]:
    parts = [(y.year, y.value) for y in target.years.all()]
    reached = achieved_by_year(reports, [year for year, _ in parts])
    return [
        YearView(
            year,
            value,
            reached[year],
            target_share(reached[year], value),
            ahead=year > today.year,
        )
        for year, value in parts
    ]


def reports_of(project: Project) -> QuerySet[ProgressReport]:
    """A project's progress reports, newest first, with their target, unit, reporter, place
    and photos (the evidence the office checks, public project or not)."""
    return (
        ProgressReport.objects.filter(project=project)
        .select_related("target", "unit", "region", "reported_by")
        .prefetch_related("photos")
        .order_by("-reported_at", "-pk")
    )


def report_photo_for(viewer: User, project_id: int, photo_id: int) -> ProgressPhoto:
    """A progress photo of a project the viewer sees; another project's is as missing."""
    project = project_for(viewer, project_id)
    photo = (
        ProgressPhoto.objects.filter(pk=photo_id, report__project=project).exclude(image="").first()
    )
    if photo is None:
        raise NotFound("未找到该照片")
    return photo


def _milestone(m: Milestone, today: date) -> MilestoneView:
    if m.done_on is not None:
        return MilestoneView(m, late=False, late_days=max((m.done_on - m.planned_end).days, 0))
    late = m.planned_end < today
    return MilestoneView(m, late=late, late_days=(today - m.planned_end).days if late else 0)


def _appeals_linked(project: Project) -> AppealsLinked:
    appeals = Appeal.objects.filter(project_links__project=project)
    counts = appeals.aggregate(
        n=Count("pk"),
        rated=Count("pk", filter=~Q(satisfaction="")),
        satisfied=Count(
            "pk",
            filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]),
        ),
    )
    latest = list(
        appeals.order_by("-received_at").values(
            "pk", "tracking_number", "title", "status", "received_at", "satisfaction"
        )[:20]
    )
    return AppealsLinked(counts["n"], counts["rated"], counts["satisfied"], latest)


def letter_for(viewer: User, project_id: int, letter_id: int) -> ResponsibilityLetter:
    project = project_for(viewer, project_id)
    letter = project.letters.filter(pk=letter_id).exclude(scan="").first()
    if letter is None:
        raise NotFound("未找到该责任书扫描件")
    return letter


def report_places(project_ids: Sequence[int]) -> dict[int, list[Region]]:
    """Where each project's progress may be placed: its own places and the streets and
    communities below them, in the tree's order. Two queries whatever the number of projects
    (the unit page's forms)."""
    paths: dict[int, list[str]] = {}
    for project_id, path in Project.regions.through.objects.filter(
        project_id__in=project_ids
    ).values_list("project_id", "region__path"):
        paths.setdefault(project_id, []).append(path)
    every = {path for found in paths.values() for path in found}
    if not every:
        return {}
    under = Q()
    for path in every:
        under |= Q(path__startswith=path)
    shown = Q(level__in=[RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY]) | Q(path__in=every)
    regions = list(Region.objects.filter(under & shown).order_by("path"))
    return {
        project_id: [r for r in regions if r.path.startswith(tuple(found))]
        for project_id, found in paths.items()
    }
