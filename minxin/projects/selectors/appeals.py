"""Appeals and projects: the appeals that may be about a project (suggested, never linked by
themselves), the projects an appeal is linked to or might be about, an appeal found by its
tracking number or as a hotspot."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.cases.selectors import appeal_get_for
from minxin.core.errors import ValidationFailed
from minxin.core.posted import int_or_none
from minxin.directory.models import Region
from minxin.triage.related import appeals_related

from ..models import Project, ProjectAppeal
from ..workflow import LIVE, RATEABLE
from .scope import project_for

LINKABLE = sorted(LIVE | RATEABLE)

SUGGESTION_SCAN = 400  # the latest appeals of the project's places looked at
SUGGESTIONS_SHOWN = 10


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
    appeal_id = int_or_none(raw)
    return None if appeal_id is None else appeal_get_for(user=viewer, appeal_id=appeal_id)


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
