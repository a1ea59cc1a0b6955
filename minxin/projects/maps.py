"""挂图作战: the viewer's projects on the map. Each project is drawn at its points (any number:
a project in several estates), or, having none, at the point inside its first region that has
a boundary (walking up the tree); coloured by status, sized and labelled by progress; each
subdistrict is shaded by the number of its projects behind plan. Four queries whatever the
number of projects: the projects, their points, their regions, and the subdistricts with the
located regions."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.db.models import Q, QuerySet
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.queries import filtered
from minxin.directory.models import Region, RegionLevel

from .machine import PROJECTS
from .models import Programme, Project, ProjectPoint
from .schedule import is_behind, time_share
from .selectors import programmes_of, projects_for
from .workflow import ProjectStatus

BEHIND: Final = "behind"  # a point's group: in progress and behind plan, drawn apart in red
# Projects placed at the same region point are spread on a small spiral (degrees) so that
# each stays visible and clickable.
SPREAD: Final = 0.006

Place = tuple[float, float, str]  # latitude, longitude, the point's own name (or "")


@dataclass(frozen=True)
class MapPoint:
    pk: int
    name: str
    place: str  # the point's own name (景蓉小区), or ""
    group: str  # a status value, or BEHIND
    progress: float
    lat: float
    lng: float
    approximate: bool  # placed at its region's point, having none of its own


@dataclass(frozen=True)
class RegionShade:
    pk: int
    name: str
    projects: int
    behind: int


@dataclass(frozen=True)
class ProjectMap:
    points: list[MapPoint]
    regions: list[RegionShade]
    total: int
    unplaced: int  # projects with neither a point nor a region with a boundary


def programmes_to_filter(viewer: User) -> QuerySet[Programme]:
    """The viewer's district's programmes (every district's for the city's)."""
    return programmes_of(viewer.jurisdiction_scope).order_by("-year", "name")


def group_label(group: str) -> str:
    return "实施中（落后于计划）" if group == BEHIND else PROJECTS.status_label(group)


def project_map_for(
    viewer: User,
    *,
    programme_id: int | None = None,
    status: str = "",
    today: date | None = None,
) -> ProjectMap:
    today = today or timezone.localdate()
    projects = _filtered(projects_for(viewer), programme_id=programme_id, status=status)
    rows = list(
        projects.values_list(
            "pk",
            "name",
            "status",
            "progress",
            "start_date",
            "end_date",
            "programme__behind_margin",
        ).order_by("pk")
    )
    own = _own_places(projects)
    links = _region_paths(projects)
    streets, located = _streets_and_located()
    points: list[MapPoint] = []
    crowd: dict[tuple[float, float], int] = defaultdict(int)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # street code → [projects, behind]
    unplaced = 0
    for pk, name, status, progress, start, end, margin in rows:
        behind = status == ProjectStatus.IN_PROGRESS and is_behind(
            float(progress), time_share(start, end, today), margin
        )
        paths = links.get(pk, [])
        for code in {c for path in paths for c in _codes(path) if c in streets}:
            counts[code][0] += 1
            counts[code][1] += behind
        places = own.get(pk) or _spread(_region_place(paths, located), crowd)
        if not places:
            unplaced += 1
            continue
        points.extend(
            MapPoint(
                pk=pk,
                name=name,
                place=place,
                group=BEHIND if behind else status,
                progress=round(float(progress), 1),
                lat=round(y, 6),
                lng=round(x, 6),
                approximate=pk not in own,
            )
            for y, x, place in places
        )
    regions = [
        RegionShade(pk=pk, name=name, projects=counts[code][0], behind=counts[code][1])
        for code, (pk, name) in sorted(streets.items())
    ]
    return ProjectMap(points=points, regions=regions, total=len(rows), unplaced=unplaced)


def _filtered(
    projects: QuerySet[Project], *, programme_id: int | None, status: str
) -> QuerySet[Project]:
    """The viewer's projects narrowed by the map's filters (none: all of them)."""
    projects = filtered(projects, programme_id=programme_id, status=status)
    return projects


def _own_places(projects: QuerySet[Project]) -> dict[int, list[Place]]:
    """The projects' own points, in their order."""
    own: dict[int, list[Place]] = defaultdict(list)
    for project_id, lat, lng, place in (
        ProjectPoint.objects.filter(project__in=projects.values("pk"))
        .order_by("project_id", "position", "pk")
        .values_list("project_id", "latitude", "longitude", "name")
    ):
        own[project_id].append((float(lat), float(lng), place))
    return own


def _region_paths(projects: QuerySet[Project]) -> dict[int, list[str]]:
    """The projects' regions as paths, the first by code first (the one a project without
    points of its own is placed in)."""
    links: dict[int, list[str]] = defaultdict(list)
    for project_id, path in (
        Project.regions.through.objects.filter(project__in=projects.values("pk"))
        .order_by("project_id", "region__code")
        .values_list("project_id", "region__path")
    ):
        links[project_id].append(path)
    return links


def _streets_and_located() -> tuple[dict[str, tuple[int, str]], dict[str, tuple[float, float]]]:
    """In one query: the subdistricts to shade (code → pk, name) and the regions with a
    boundary (code → its centroid), where projects without points are placed."""
    streets: dict[str, tuple[int, str]] = {}
    located: dict[str, tuple[float, float]] = {}
    for pk, code, name, level, c_lat, c_lng in Region.objects.filter(
        Q(level=RegionLevel.SUBDISTRICT) | Q(boundary__isnull=False)
    ).values_list(
        "pk", "code", "name", "level", "boundary__centroid_lat", "boundary__centroid_lng"
    ):
        if level == RegionLevel.SUBDISTRICT:
            streets[code] = (pk, name)
        if c_lat is not None and c_lng is not None:
            located[code] = (c_lat, c_lng)
    return streets, located


def _spread(places: list[Place], crowd: dict[tuple[float, float], int]) -> list[Place]:
    """Projects placed at the same region point, each in turn (`crowd` counts them), move out
    on a small spiral so that each stays visible and clickable."""
    spread = []
    for y, x, place in places:
        n = crowd[(y, x)]
        crowd[(y, x)] += 1
        angle, radius = n * 2.4, SPREAD * math.sqrt(n)
        spread.append((y + radius * math.sin(angle), x + radius * math.cos(angle), place))
    return spread


def _codes(path: str) -> list[str]:
    """The codes of a region and its ancestors from its path ("/A3/A3-01/A3-01-02/")."""
    return [c for c in path.split("/") if c]


def _region_place(paths: list[str], located: dict[str, tuple[float, float]]) -> list[Place]:
    """A project without points of its own: the point inside its first region with a
    boundary, the region itself first, then up the tree; none when no region has one."""
    for path in paths:
        for code in reversed(_codes(path)):
            if code in located:
                return [(*located[code], "")]
    return []
