"""The programme page: its projects' rows (behind plan first), the count by status, the
achievement table (summed targets, and each one's part due in the programme's year) and the
latest warnings. Its figures are read from the rows the reports keep (`Project.progress`,
`Target.achieved`): a few queries whatever the number of reports."""

from collections import Counter
from collections.abc import Mapping
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
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.core.queries import filtered

from ..machine import PROJECTS
from ..models import (
    Milestone,
    Programme,
    ProgressReport,
    Project,
    ProjectWarning,
    Target,
    TargetYear,
)
from ..schedule import gap, is_behind, target_share, time_share
from ..workflow import ProjectStatus
from .scope import programmes_of, projects_for


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
    programme = programmes_of(viewer.jurisdiction_scope).filter(pk=programme_id).first()
    if programme is None:  # or another district's: as missing
        raise NotFound("未找到该计划")
    today = today or timezone.localdate()
    projects = projects_for(viewer).filter(programme=programme)
    by_status = Counter(
        dict(projects.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    )
    projects = filtered(projects, status=status)
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
