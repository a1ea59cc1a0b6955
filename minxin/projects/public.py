"""Reads for the public pages of 民心工程 (/projects/): only projects marked public, of a public
programme, past the candidates' stage (`verdict.public_projects`); anything else, or missing,
is the same 404. What they show is the commitment and its progress: no unit's handler, no
progress note, no appeal, no rating comment (those carry people's words), no raw media URL,
no coordinates (a point is shown by its place name)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from minxin.core.errors import NotFound
from minxin.core.posted import choice_or_blank, int_or_none
from minxin.core.privacy import mask_public_place
from minxin.core.queries import filtered

from .models import Milestone, Programme, ProgressPhoto, Project, ProjectKind, Target
from .schedule import target_share, time_share
from .verdict import (
    NOT_FOUND,
    RatingsSummary,
    milestones_rateable,
    public_projects,
    rating_round,
    ratings_summary,
    summaries_for,
)
from .workflow import ProjectStatus

# The statuses the public sees and may filter by (candidates are never shown).
PUBLIC_STATUSES: Final = [s for s in ProjectStatus if s != ProjectStatus.CANDIDATE]
PHOTOS_SHOWN: Final = 6


def public_programmes(district: int) -> list[Programme]:
    """The public site's district's public programmes."""
    programmes = Programme.objects.filter(is_public=True, jurisdiction_id=district)
    return list(programmes.order_by("-year", "name"))


@dataclass(frozen=True)
class Filters:
    programme: int | None = None
    kind: str = ""
    status: str = ""

    @classmethod
    def parse(cls, raw: Any) -> "Filters":
        """From the query string: anything unknown is ignored, never an error."""
        return cls(
            programme=int_or_none(str(raw.get("programme", ""))),
            kind=choice_or_blank(raw.get("kind"), ProjectKind.values),
            status=choice_or_blank(raw.get("status"), PUBLIC_STATUSES),
        )

    def as_query(self) -> dict[str, str]:
        pairs = (("programme", self.programme), ("kind", self.kind), ("status", self.status))
        return {k: str(v) for k, v in pairs if v}


def public_project_list(filters: Filters, *, district: int) -> QuerySet[Project]:
    """The district's public projects, newest programme first, then by status and name, with
    their targets (one query per page)."""
    projects = public_projects(district)
    projects = filtered(
        projects, programme_id=filters.programme, kind=filters.kind, status=filters.status
    )
    return (
        projects.select_related("programme")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("position", "pk")))
        .order_by("-programme__year", "programme__name", "status", "name", "pk")
    )


@dataclass(frozen=True)
class PublicRow:
    project: Project
    elapsed: float
    targets: list[tuple[Target, float]]
    rating: Any  # the latest round's RoundSummary with raters, or None


def public_rows(projects: Sequence[Project], *, today: date | None = None) -> list[PublicRow]:
    today = today or timezone.localdate()
    summaries = summaries_for(projects)
    return [
        PublicRow(
            project=p,
            elapsed=time_share(p.start_date, p.end_date, today),
            targets=[(t, target_share(t.achieved, t.value)) for t in p.targets.all()],
            rating=summaries.get(p.pk, {}).get("round"),
        )
        for p in projects
    ]


def public_project_get(project_id: int, *, district: int | None = None) -> Project:
    project = public_projects(district).select_related("programme").filter(pk=project_id).first()
    if project is None:
        raise NotFound(NOT_FOUND)
    return project


@dataclass(frozen=True)
class PublicPage:
    project: Project
    elapsed: float
    regions: list[str]
    places: list[str]  # its points' names, masked by the public rule for places
    unnamed_places: int  # its points without a name
    lead_unit: str
    targets: list[tuple[Target, float]]
    milestones: list[Milestone]
    photos: list[ProgressPhoto]
    ratings: RatingsSummary
    round: str | None  # the round open now, None when the project cannot be rated yet
    rateable_milestones: list[Milestone]


def public_project_page(project_id: int, *, district: int, today: date | None = None) -> PublicPage:
    project = public_project_get(project_id, district=district)
    today = today or timezone.localdate()
    round_ = rating_round(project)
    names = list(project.points.order_by("position", "pk").values_list("name", flat=True))
    places = [mask_public_place(name) for name in names if name.strip()]
    return PublicPage(
        project=project,
        elapsed=time_share(project.start_date, project.end_date, today),
        regions=list(project.regions.order_by("path").values_list("name", flat=True)),
        places=places,
        unnamed_places=len(names) - len(places),
        lead_unit=project.lead_unit.name,
        targets=[
            (t, target_share(t.achieved, t.value))
            for t in project.targets.order_by("position", "pk")
        ],
        milestones=list(project.milestones.order_by("position", "pk")),
        photos=list(
            ProgressPhoto.objects.filter(report__project=project)
            .select_related("report__target")
            .order_by("-report__reported_at", "-pk")[:PHOTOS_SHOWN]
        ),
        ratings=ratings_summary(project),
        round=round_,
        rateable_milestones=milestones_rateable(project) if round_ else [],
    )


def public_photo_get(project_id: int, photo_id: int, *, district: int) -> ProgressPhoto:
    """A progress photo of a public project (stored re-encoded, without its metadata)."""
    photo = (
        ProgressPhoto.objects.filter(
            pk=photo_id,
            report__project_id=project_id,
            report__project__in=public_projects(district),
        )
        .exclude(image="")
        .first()
    )
    if photo is None:
        raise NotFound("未找到该照片")
    return photo
