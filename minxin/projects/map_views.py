"""挂图作战: the projects' map page and its data (JSON for `static/js/map.js`). Thin: parse,
the selector (`maps.project_map_for`), shape the JSON."""

from typing import Any, Final

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from minxin.accounts.access import staff_user
from minxin.core.posted import choice_or_blank, int_or_none

from .maps import BEHIND, ProjectMap, group_label, programmes_to_filter, project_map_for
from .permissions import may_see_projects
from .workflow import ProjectStatus

VIEWERS: Final = "督查室、领导、热线中心和承办单位"
# A point's colour by group; behind plan stands out in the dashboard's red.
COLOURS: Final = {
    ProjectStatus.CANDIDATE: "#8a94a6",
    ProjectStatus.PLANNED: "#1d5fd1",
    ProjectStatus.IN_PROGRESS: "#1a7f37",
    BEHIND: "#c8102e",
    ProjectStatus.SUSPENDED: "#c27c00",
    ProjectStatus.COMPLETED: "#0b7a75",
    ProjectStatus.ACCEPTED: "#5b3fa6",
}
# Streets are shaded in amber, so that the red points behind plan stay visible on them.
SHADE: Final = "#e39a2d"
LABELLED_POINTS: Final = 300  # more than this and progress labels would cover the map


def _filters(request: HttpRequest) -> tuple[int | None, str]:
    raw = request.GET.get("programme", "")
    programme_id = int_or_none(raw)
    return programme_id, choice_or_blank(request.GET.get("status"), ProjectStatus.values)


@login_required
@require_GET
def project_map(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    programme_id, status = _filters(request)
    query = request.GET.urlencode()
    return render(
        request,
        "projects/map.html",
        {
            "programmes": programmes_to_filter(user),
            "programme_id": programme_id,
            "status": status,
            "statuses": ProjectStatus.choices,
            "data_url": reverse("project_map:data") + (f"?{query}" if query else ""),
            "tile_url": settings.MINXIN_MAP_TILE_URL,
        },
    )


@login_required
@require_GET
def project_map_data(request: HttpRequest) -> JsonResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    programme_id, status = _filters(request)
    return JsonResponse(map_json(project_map_for(user, programme_id=programme_id, status=status)))


def url_pattern(name: str) -> str:
    """A detail page's URL with "{}" for the id: one reverse() for thousands of points
    (reversing each one took half the data endpoint's time)."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{}")


def map_json(m: ProjectMap) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {g: [] for g in COLOURS}
    labelled = len(m.points) <= LABELLED_POINTS
    page = url_pattern("projects:project_detail")
    for p in m.points:
        where = "（位置为所在区域中心）" if p.approximate else ""
        if p.place:
            where = f" · {escape(p.place)}"
        groups[p.group].append(
            {
                "lng": p.lng,
                "lat": p.lat,
                "size": 8 + round(p.progress / 8),
                "label": f"{p.progress:g}%" if labelled else "",
                "tooltip": (
                    f"{escape(p.name)}<br>{group_label(p.group)} · 进度 {p.progress:g}%{where}"
                ),
                "url": page.format(p.pk),
            }
        )
    note = f"共 {m.total} 个项目"
    if m.unplaced:
        note += f"，其中 {m.unplaced} 个既无坐标、所在区域也无边界，未在图上"
    return {
        "regionLabel": "落后于计划的项目数",
        "regionColor": SHADE,
        "pointsOnTop": True,  # a project's point matters more than its street's name
        "regions": [
            {
                "key": str(r.pk),
                "value": r.behind,
                "label": f"落后 {r.behind}" if r.behind else "",
                "tooltip": f"{escape(r.name)}<br>项目 {r.projects} 个 · 落后于计划 {r.behind} 个",
            }
            for r in m.regions
        ],
        "series": [
            {"name": group_label(g), "color": COLOURS[g], "points": points}
            for g, points in groups.items()
            if points
        ],
        "note": note,
    }
