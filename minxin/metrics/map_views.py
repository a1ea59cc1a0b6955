"""The dashboard's map panel: the streets shaded by the period's volume (overdue alongside),
a click through to the appeal list of that street; the period's appeals with coordinates as
points, fetched by the map component (static/js/map.js)."""

from collections.abc import Callable, Sequence
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from minxin.accounts.access import staff_user
from minxin.projects.map_views import url_pattern

from . import selectors
from .maps import POINTS_SHOWN, appeal_points
from .permissions import may_see_dashboard

RED: Final = "#c8102e"
BLUE: Final = "#1d5fd1"
ORANGE: Final = "#e8590c"  # points stand out on the blue streets


def dashboard_map(
    regions: Sequence[tuple[int, str, int, int]], list_url: Callable[[int], str]
) -> dict[str, Any]:
    """The map's regions from the dashboard's own per-street figures (id, name, received in
    the period, overdue now) and the URL of a street's appeal list: no query of its own."""
    return {
        "regionLabel": "受理量",
        "regionColor": BLUE,
        "regions": [
            {
                "key": str(pk),
                "value": received,
                "tooltip": f"{escape(name)}<br>受理 {received} 件 · 超期 {overdue} 件",
                "url": list_url(pk),
                "label": f"超期 {overdue}" if overdue else "",
            }
            for pk, name, received, overdue in regions
        ],
    }


@login_required
@require_GET
def appeal_points_json(request: HttpRequest) -> JsonResponse:
    user = staff_user(request, may_see_dashboard, "督查员和领导")
    period = selectors.period_from(request.GET)
    districts = selectors.districts_for(user=user, asked=request.GET.get("district"))
    found = appeal_points(period=period, district=districts.chosen)
    series: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    page = url_pattern("cases:appeal_detail")
    for p in found.points:
        series[p.overdue].append(
            {
                "lng": p.lng,
                "lat": p.lat,
                "size": 7,
                "tooltip": escape(p.title) + ("<br>已超期" if p.overdue else ""),
                "url": page.format(p.pk),
            }
        )
    if found.capped:
        note = f"本期有坐标的诉求 {found.located} 件，图上为最新的 {POINTS_SHOWN} 件"
    else:
        note = f"本期有坐标的诉求 {found.located} 件（其余诉求未标注位置）"
    return JsonResponse(
        {
            "series": [
                {"name": "诉求", "color": ORANGE, "points": series[False]},
                {"name": "超期诉求", "color": RED, "points": series[True]},
            ],
            "note": note,
        }
    )
