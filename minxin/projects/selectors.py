"""Reads of livelihood projects, always for a viewer: a handler sees the projects its unit
leads or assists, the office and the hotline centre all of them; out of scope and missing
answer the same NotFound. The programme page reads its figures from the rows the reports
keep (`Project.progress`, `Target.achieved`): a few queries whatever the number of reports."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.cases.selectors import appeal_get_for
from minxin.cases.workflow import Satisfaction
from minxin.core.errors import NotFound, ValidationFailed
from minxin.directory.models import Region, RegionLevel
from minxin.supervision.models import SupervisionOrder
from minxin.triage.related import appeals_related

from .machine import MISSING, PROJECTS
from .models import (
    Milestone,
    Programme,
    ProgressPhoto,
    ProgressReport,
    Project,
    ProjectAppeal,
    ProjectEvent,
    ProjectPoint,
    ProjectWarning,
    ResponsibilityLetter,
    Target,
    TargetYear,
)
from .permissions import sees_every_project
from .schedule import achieved_by_year, gap, is_behind, target_share, time_share
from .workflow import LIVE, RATEABLE, ProjectStatus

LINKABLE = sorted(LIVE | RATEABLE)

TIMELINE_ROWS = 100
REPORTS_SHOWN = 20  # the latest progress reports on the project page; the rest paginated
SUGGESTION_SCAN = 400  # the latest appeals of the project's places looked at
SUGGESTIONS_SHOWN = 10


def projects_for(viewer: User) -> QuerySet[Project]:
    projects = Project.objects.all()
    if sees_every_project(viewer):
        return projects
    if viewer.unit_id is None:
        return projects.none()
    return projects.filter(
        Q(lead_unit_id=viewer.unit_id) | Q(assisting_units=viewer.unit_id)
    ).distinct()


def project_for(viewer: User, project_id: int) -> Project:
    project = (
        projects_for(viewer).select_related("programme", "lead_unit").filter(pk=project_id).first()
    )
    if project is None:
        raise NotFound(MISSING)
    return project


def programmes_for(viewer: User) -> list[dict[str, Any]]:
    """Each programme with the number of the viewer's projects in it, newest year first."""
    counts = dict(
        projects_for(viewer)
        .values("programme")
        .annotate(n=Count("pk"))
        .values_list("programme", "n")
    )
    return [
        {"programme": p, "projects": counts.get(p.pk, 0)}
        for p in Programme.objects.order_by("-year", "name")
    ]


# --- the programme -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    pk: int
    name: str
    kind: str
    lead_unit: str
    status: str
    status_label: str
    progress: float
    elapsed: float
    gap: float
    behind: bool
    late_milestones: int
    end_date: date


@dataclass(frozen=True)
class YearPart:
    """The programme's year of the targets of a name and measure: their parts due that year
    and what was reached within it (`year_parts`)."""

    value: Decimal
    achieved: Decimal

    @property
    def share(self) -> float:
        return target_share(self.achieved, self.value)


@dataclass(frozen=True)
class Achievement:
    """One line of the achievement table: all targets of a name and measure, summed; `year`:
    the programme's year of them, None when none of them has a part that year."""

    name: str
    measure: str
    projects: int
    value: Decimal
    achieved: Decimal
    year: YearPart | None = None

    @property
    def share(self) -> float:
        return target_share(self.achieved, self.value)


@dataclass(frozen=True)
class Overview:
    programme: Programme
    rows: list[ProjectRow]  # behind plan first, then by gap
    by_status: dict[str, int]
    achievements: list[Achievement]
    behind: int
    warnings: list[ProjectWarning]
    year: int  # the programme's: the year of the achievement table's yearly columns


def programme_overview(
    viewer: User, programme_id: int, *, today: date | None = None, status: str = ""
) -> Overview:
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise NotFound("未找到该计划")
    today = today or timezone.localdate()
    projects = projects_for(viewer).filter(programme=programme)
    by_status = Counter(
        dict(projects.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    )
    if status:
        projects = projects.filter(status=status)
    late = dict(
        Milestone.objects.filter(project__in=projects, done_on__isnull=True, planned_end__lt=today)
        .values("project")
        .annotate(n=Count("pk"))
        .values_list("project", "n")
    )
    rows = [
        _row(values, today, programme.behind_margin, late.get(values["pk"], 0))
        for values in projects.values(
            "pk", "name", "kind", "lead_unit__name", "status", "progress", "start_date", "end_date"
        )
    ]
    rows.sort(key=lambda r: (not r.behind, -r.late_milestones, r.gap, r.name))
    totals = list(
        Target.objects.filter(project__in=projects)
        .values("name", "measure")
        .annotate(
            projects=Count("project", distinct=True), value=Sum("value"), achieved=Sum("achieved")
        )
        .order_by("-projects", "name")[:50]
    )
    parts = year_parts(projects, programme.year) if totals else {}
    achievements = [
        Achievement(
            name=a["name"],
            measure=a["measure"],
            projects=a["projects"],
            value=a["value"],
            achieved=a["achieved"],
            year=parts.get((a["name"], a["measure"])),
        )
        for a in totals
    ]
    warnings = list(
        ProjectWarning.objects.filter(project__in=projects)
        .select_related("project", "milestone")
        .order_by("-created_at")[:10]
    )
    return Overview(
        programme=programme,
        rows=rows,
        by_status={s.value: by_status.get(s.value, 0) for s in ProjectStatus},
        achievements=achievements,
        behind=sum(r.behind for r in rows),
        warnings=warnings,
        year=programme.year,
    )


def year_parts(projects: QuerySet[Project], year: int) -> dict[tuple[str, str], YearPart]:
    """Each target name and measure's part due in `year` and what was reached within it, by
    the project page's rule (`schedule.achieved_by_year`: the last cumulative value reported
    by the year's end less the last by the year before's). A target cut into years counts its
    part for the year; one not cut counts whole when its project starts and ends within the
    year; one of a multi-year project not cut into years is left out (its year is unknown).
    One query. The last value by the year's end is the target's kept `achieved` unless it was
    reported after the year (then a subquery on the reports' (target, time) index); the last
    by the year's start is 0 when the project was started within the year or later (reports
    come only after 开工), else a subquery: the current year's page looks up only the targets
    of projects started before it."""
    here = timezone.get_current_timezone()
    start, end = (datetime(y, 1, 1, tzinfo=here) for y in (year, year + 1))
    money = DecimalField(max_digits=16, decimal_places=2)

    def last_before(moment: datetime) -> Coalesce:
        last = ProgressReport.objects.filter(target=OuterRef("pk"), reported_at__lt=moment)
        value = Subquery(last.order_by("-reported_at", "-pk").values("value")[:1])
        return Coalesce(value, Value(Decimal(0)), output_field=money)

    # No default orderings: TargetYear's would join the targets again in each subquery.
    of_year = TargetYear.objects.filter(target=OuterRef("pk"), year=year).order_by()
    cut = TargetYear.objects.filter(target=OuterRef("pk")).order_by()
    rows = (
        Target.objects.filter(project__in=projects)
        .filter(
            Q(Exists(of_year))
            | (~Q(Exists(cut)) & Q(project__start_date__year=year, project__end_date__year=year))
        )
        .annotate(
            part=Coalesce(Subquery(of_year.values("value")[:1]), F("value"), output_field=money),
            by_end=Case(
                When(reported_at__isnull=True, then=Value(Decimal(0))),
                When(reported_at__lt=end, then=F("achieved")),
                default=last_before(end),
                output_field=money,
            ),
            by_start=Case(
                When(project__started_at__gte=start, then=Value(Decimal(0))),
                default=last_before(start),
                output_field=money,
            ),
        )
        .order_by()
        .values("name", "measure")
        .annotate(value=Sum("part"), reached=Sum(F("by_end") - F("by_start"), output_field=money))
    )
    return {
        (r["name"], r["measure"]): YearPart(value=r["value"], achieved=r["reached"]) for r in rows
    }


def _row(values: Mapping[str, Any], today: date, margin: int, late: int) -> ProjectRow:
    live = values["status"] == ProjectStatus.IN_PROGRESS
    elapsed = time_share(values["start_date"], values["end_date"], today)
    progress = float(values["progress"])
    return ProjectRow(
        pk=values["pk"],
        name=values["name"],
        kind=values["kind"],
        lead_unit=values["lead_unit__name"],
        status=values["status"],
        status_label=PROJECTS.status_label(values["status"]),
        progress=progress,
        elapsed=elapsed,
        gap=gap(progress, elapsed),
        behind=live and is_behind(progress, elapsed, margin),
        late_milestones=late if live else 0,
        end_date=values["end_date"],
    )


# --- one project -------------------------------------------------------------------------


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


# --- appeals that may be about a project -------------------------------------------------


def appeals_suggested(viewer: User, project_id: int) -> list[tuple[Mapping[str, Any], float]]:
    """Appeals not yet linked that may be about the project: among the latest of its places
    (its regions and below), those sharing its named places (a 小区, a road, a school) and
    its words, best first, with a score 0-1 (the share of the project's words they share,
    a named place counting double). The dispatcher confirms; nothing is linked by itself."""
    project = project_for(viewer, project_id)
    paths = list(project.regions.values_list("path", flat=True))
    if not paths:
        return []
    where = Q()
    for path in paths:
        where |= Q(region__path__startswith=path)
    candidates = list(
        Appeal.objects.filter(where, merged_into__isnull=True)
        .exclude(project_links__project=project)
        .order_by("-received_at")
        .values("pk", "tracking_number", "title", "content", "received_at", "status")[
            :SUGGESTION_SCAN
        ]
    )
    about = " ".join(
        [project.name, project.summary, *project.targets.values_list("name", flat=True)]
    )
    return appeals_related(about, candidates, limit=SUGGESTIONS_SHOWN)


def projects_linked_to(appeal_id: int) -> list[ProjectAppeal]:
    return list(
        ProjectAppeal.objects.filter(appeal_id=appeal_id).select_related("project").order_by("pk")
    )


def appeal_numbered(viewer: User, tracking_number: str) -> int:
    """The appeal of a tracking number, if the viewer may see it."""
    pk = (
        Appeal.objects.filter(tracking_number=tracking_number.strip())
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise ValidationFailed(f"未找到受理编号为{tracking_number.strip()[:20]}的诉求")
    return appeal_get_for(user=viewer, appeal_id=pk).pk


def hotspot_for(viewer: User, raw: str) -> Appeal | None:
    """The appeal a hotspot's messages were merged into (`?hotspot=`), when the viewer may
    see it; none for no or a bad value."""
    if not raw.isdigit():
        return None
    return appeal_get_for(user=viewer, appeal_id=int(raw))


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


@dataclass(frozen=True)
class UnitProject:
    project: Project
    elapsed: float
    targets: list[TargetView]
    behind: bool = False
    places: Sequence[Region] = ()


def unit_projects_for(viewer: User) -> list[UnitProject]:
    """The projects a handler's unit reports on now (started, not accepted), with the
    targets it answers for; for the office, every project in progress (its first 100)."""
    projects = (
        projects_for(viewer)
        .filter(status__in=[ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED])
        .select_related("programme", "lead_unit")
        .prefetch_related("targets")  # one query for every project's targets, not one each
        .order_by("end_date", "pk")[:100]
    )
    places = report_places([p.pk for p in projects])
    today = timezone.localdate()
    rows = []
    for project in projects:
        targets = [
            t
            for t in project.targets.all()
            if sees_every_project(viewer) or viewer.unit_id in (t.unit_id, project.lead_unit_id)
        ]
        elapsed = time_share(project.start_date, project.end_date, today)
        behind = project.status == ProjectStatus.IN_PROGRESS and is_behind(
            project.progress, elapsed, project.programme.behind_margin
        )
        rows.append(
            UnitProject(
                project=project,
                elapsed=elapsed,
                targets=[TargetView(t, target_share(t.achieved, t.value), []) for t in targets],
                behind=behind,
                places=places.get(project.pk, []),
            )
        )
    return rows


# --- the units' scorecards ---------------------------------------------------------------

MEASURED = (
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.COMPLETED,
    ProjectStatus.ACCEPTED,
    ProjectStatus.SUSPENDED,
)


def on_plan_by_unit(*, on: date) -> dict[int, tuple[int, int]]:
    """Per lead unit: (projects on plan, projects measured) on the day `on`, the projects'
    component of the units' scorecards (docs/metrics.md). Every started project is measured:
    in progress and not behind plan, or completed by its planned end, is on plan; suspended
    or behind is not. Progress is the project's current one (no history is kept per day)."""
    figures: dict[int, list[int]] = {}
    rows = Project.objects.filter(status__in=MEASURED, start_date__lte=on).values_list(
        "lead_unit",
        "status",
        "progress",
        "start_date",
        "end_date",
        "completed_at",
        "programme__behind_margin",
    )
    for unit, status, progress, start, end, completed_at, margin in rows.iterator(chunk_size=2000):
        if status == ProjectStatus.IN_PROGRESS:
            good = not is_behind(progress, time_share(start, end, on), margin)
        elif status == ProjectStatus.SUSPENDED:
            good = False
        else:
            good = completed_at is not None and timezone.localdate(completed_at) <= end
        cell = figures.setdefault(unit, [0, 0])
        cell[0] += good
        cell[1] += 1
    return {unit: (good, n) for unit, (good, n) in figures.items()}


@dataclass(frozen=True)
class AppealProjects:
    linked: list[ProjectAppeal]
    nearby: list[Project]  # live projects of the appeal's place, not linked yet


def projects_of_appeal(viewer: User, appeal_id: int) -> AppealProjects:
    """The projects an appeal is linked to, and those of its place (its region or any region
    above) it might be about; scoped like the appeal page."""
    appeal = appeal_get_for(user=viewer, appeal_id=appeal_id)
    linked = list(
        ProjectAppeal.objects.filter(appeal=appeal).select_related("project").order_by("pk")
    )
    nearby: list[Project] = []
    region_path = (
        Region.objects.filter(pk=appeal.region_id).values_list("path", flat=True).first()
        if appeal.region_id
        else None
    )
    if region_path:
        codes = region_path.strip("/").split("/")
        paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
        nearby = list(
            Project.objects.filter(status__in=LINKABLE, regions__path__in=paths)
            .exclude(pk__in=[link.project_id for link in linked])
            .distinct()
            .order_by("-start_date")[:10]
        )
    return AppealProjects(linked=linked, nearby=nearby)


def programmes_to_choose() -> QuerySet[Programme]:
    """The programmes a form offers (a topic's decision, a vote's round)."""
    return Programme.objects.all()
