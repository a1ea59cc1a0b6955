"""What the units answer for: the projects a handler's unit reports on now, with its targets
and places, and each lead unit's projects on plan for the units' scorecards."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from minxin.accounts.models import User
from minxin.directory.models import Region
from minxin.directory.selectors import of_district

from ..models import Project
from ..permissions import sees_every_project
from ..schedule import is_behind, target_share, time_share
from ..workflow import ProjectStatus
from .project import TargetView, report_places
from .scope import projects_for


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


def on_plan_by_unit(*, on: date, district: int | None = None) -> dict[int, tuple[int, int]]:
    """Per lead unit: (projects on plan, projects measured) on the day `on`, the projects'
    component of the units' scorecards (docs/metrics.md); of `district`'s programmes only when
    given (a district's scorecard). Every started project is measured: in progress and not
    behind plan, or completed by its planned end, is on plan; suspended or behind is not.
    Progress is the project's current one (no history is kept per day)."""
    figures: dict[int, list[int]] = {}
    measured = Project.objects.filter(
        of_district(district, "programme__"), status__in=MEASURED, start_date__lte=on
    )
    rows = measured.values_list(
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
