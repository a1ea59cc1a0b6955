"""Which projects a viewer sees: a handler the projects its unit leads or assists, the office
and the hotline centre all of them; out of scope and missing answer the same NotFound. The
programmes, with the number of the viewer's projects in each, and those a form offers."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.directory.selectors import of_district

from ..machine import MISSING
from ..models import Programme, Project
from ..permissions import sees_every_project


def projects_for(viewer: User) -> QuerySet[Project]:
    projects = Project.objects.all()
    if sees_every_project(viewer):
        # every project of the viewer's district (of every district for the city's)
        return projects.filter(programme__in=programmes_of(viewer.jurisdiction_scope))
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
        for p in programmes_of(viewer.jurisdiction_scope).order_by("-year", "name")
    ]


def programmes_of(district: int | None) -> QuerySet[Programme]:
    """A district's programmes; every district's for None (the city's view)."""
    return Programme.objects.filter(of_district(district))


def programmes_to_choose(*, district: int | None = None) -> QuerySet[Programme]:
    """The programmes a form offers (a topic's decision, a vote's round): `district`'s."""
    return programmes_of(district)
