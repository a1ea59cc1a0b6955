"""The dashboard's map: its appeals with coordinates as points, the latest POINTS_SHOWN of the
period (a map of every appeal of a year would be a blot and a slow page). The streets'
volume and overdue figures are the dashboard's own (`selectors.dashboard_for`)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.selectors import overdue_q
from minxin.directory.selectors import of_district

from .metrics import period_bounds
from .selectors import Period

POINTS_SHOWN: Final = 2000


@dataclass(frozen=True)
class AppealPoint:
    pk: int
    title: str
    lat: float
    lng: float
    overdue: bool


@dataclass(frozen=True)
class AppealPoints:
    points: list[AppealPoint]
    located: int  # appeals of the period with coordinates, shown or not

    @property
    def capped(self) -> bool:
        return self.located > len(self.points)


def appeal_points(
    *, period: Period, district: int | None = None, now: datetime | None = None
) -> AppealPoints:
    """Two queries: the count, and the latest POINTS_SHOWN rows (the received-at index); one
    district's appeals or every district's (None)."""
    lo, hi = period_bounds(period.start, period.end)
    appeals = Appeal.objects.filter(
        of_district(district),
        received_at__gte=lo,
        received_at__lt=hi,
        latitude__isnull=False,
        longitude__isnull=False,
    )
    overdue = ExpressionWrapper(overdue_q(now or timezone.now()), output_field=BooleanField())
    rows = (
        appeals.annotate(is_overdue=overdue)
        .order_by("-received_at", "-pk")
        .values_list("pk", "title", "latitude", "longitude", "is_overdue")[:POINTS_SHOWN]
    )
    points = [
        AppealPoint(pk=pk, title=title, lat=_f(lat), lng=_f(lng), overdue=bool(late))
        for pk, title, lat, lng, late in rows
    ]
    located = len(points) if len(points) < POINTS_SHOWN else appeals.count()
    return AppealPoints(points=points, located=located)


def _f(value: Decimal | None) -> float:
    return round(float(value or 0), 6)  # filtered on not null
