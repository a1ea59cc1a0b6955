"""How many appeals a matter in a place brought before something was done about it and after:
the effect check of a proactive task (未诉先办) and of an issue-list item (事项清单), one rule.

Counted over the received-at index: the matter's category (and its subcategories) in the
region (and below) in the `days` before `start`, and in the `days` after `done` (scaled to the
full window while it is still open); beside the same category in the rest of the district over
the same windows, so that a season that quietens everywhere is not credited to the work."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from minxin.directory.models import Category, Region

from .models import Appeal

# A month on each side: the usual rhythm of a matter is weeks, and a month evens out weekdays.
DAYS = 30


@dataclass(frozen=True)
class VolumeChange:
    days: int
    before: int
    after: int | None  # None until the work is done
    observed_days: int  # days of the after window passed so far
    elsewhere_before: int
    elsewhere_after: int | None

    @staticmethod
    def _ratio(before: int, after: int | None, observed: int, days: int) -> float | None:
        if after is None or observed <= 0 or before == 0:
            return None
        return after * days / observed / before - 1  # the after window scaled to full length

    @property
    def change(self) -> float | None:
        return self._ratio(self.before, self.after, self.observed_days, self.days)

    @property
    def elsewhere_change(self) -> float | None:
        return self._ratio(
            self.elsewhere_before, self.elsewhere_after, self.observed_days, self.days
        )

    @property
    def observing(self) -> bool:
        return self.after is not None and self.observed_days < self.days


def matter_q(categories: list[Category]) -> Q:
    """Appeals of these categories or below them; every appeal when there are none."""
    where = Q()
    for category in categories:
        where |= Q(category=category) | Q(category__path_name__startswith=f"{category.path_name}/")
    return where


def place_q(regions: list[Region]) -> Q:
    """Appeals in these regions or below them; everywhere when there are none."""
    where = Q()
    for region in regions:
        where |= Q(region__path__startswith=region.path)
    return where


def _count(where: Q, lo: datetime, hi: datetime) -> int:
    return Appeal.objects.filter(where, received_at__gte=lo, received_at__lt=hi).count()


def volume_change(
    *,
    categories: list[Category],
    regions: list[Region],
    start: datetime,
    done: datetime | None,
    now: datetime,
    days: int = DAYS,
) -> VolumeChange:
    """Two counts before the work is done, four after."""
    span = timedelta(days=days)
    matter, place = matter_q(categories), place_q(regions)
    elsewhere = matter & ~place if regions else None
    before = _count(matter & place, start - span, start)
    elsewhere_before = _count(elsewhere, start - span, start) if elsewhere is not None else 0
    if done is None:
        return VolumeChange(days, before, None, 0, elsewhere_before, None)
    end = min(now, done + span)
    observed = max(0, (end - done).days)
    after = _count(matter & place, done, end)
    elsewhere_after = _count(elsewhere, done, end) if elsewhere is not None else None
    return VolumeChange(days, before, after, observed, elsewhere_before, elsewhere_after)
