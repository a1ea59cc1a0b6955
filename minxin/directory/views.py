"""The region boundaries the maps draw, as GeoJSON (simplified outlines), for any signed-in
member of staff: outlines are not personal data."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from .models import RegionLevel
from .selectors import boundaries_geojson


@login_required
@require_GET
def boundaries(request: HttpRequest) -> JsonResponse:
    level = request.GET.get("level", RegionLevel.SUBDISTRICT)
    if level not in RegionLevel.values:
        level = RegionLevel.SUBDISTRICT
    response = JsonResponse(boundaries_geojson(level=level))
    # Outlines change when an admin imports a file: a browser may keep them a few minutes.
    response["Cache-Control"] = "private, max-age=300"
    return response
