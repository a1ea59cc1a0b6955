"""How many appeals a matter in a place brought before something was done about it and after:
the effect check of a proactive task (未诉先办) and of an issue-list item (事项清单), one rule.

Counted over the received-at index: the matter's category (and its subcategories) in the
region (and below) in the `days` before `start`, and in the `days` after `done` (scaled to the
full window while it is still open); beside the same category in the rest of the district over
the same windows, so that a season that quietens everywhere is not credited to the work; and,
for one place, beside the places most like it: the places of the same level (communities for
a community, subdistricts for a subdistrict) whose count of the matter before was nearest its
own, the few of them together (`Similar`)."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q

from minxin.directory.models import Category, Region

from .models import Appeal

# A month on each side: the usual rhythm of a matter is weeks, and a month evens out weekdays.
DAYS = 30
# The similar places a place is compared with: a few, so that one odd place does not decide.
SIMILAR = 3


def _ratio(before: int, after: int | None, observed: int, days: int) -> float | None:
    if after is None or observed <= 0 or before == 0:
        return None
    return after * days / observed / before - 1  # the after window scaled to full length


@dataclass(frozen=True)
class Similar:
    """The places most like the measured one (same level, nearest count of the matter before),
    counted together over the same windows."""

    places: tuple[str, ...]  # their names
    before: int
    after: int | None


@dataclass(frozen=True)
class VolumeChange:
    days: int
    before: int
    after: int | None  # None until the work is done
    observed_days: int  # days of the after window passed so far
    elsewhere_before: int
    elsewhere_after: int | None
    similar: Similar | None = None  # asked for one place, and some place had the matter

    @property
    def change(self) -> float | None:
        return _ratio(self.before, self.after, self.observed_days, self.days)

    @property
    def elsewhere_change(self) -> float | None:
        return _ratio(self.elsewhere_before, self.elsewhere_after, self.observed_days, self.days)

    @property
    def similar_change(self) -> float | None:
        if self.similar is None:
            return None
        return _ratio(self.similar.before, self.similar.after, self.observed_days, self.days)

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


def _depth(path: str) -> int:
    return path.count("/") - 1  # "/d/s01/" is 2 deep


def _by_place(where: Q, lo: datetime, hi: datetime, depth: int) -> Counter[str]:
    """The matter's appeals in the window by the place of `depth` they lie in (its path): one
    query grouped by the appeals' own regions, added up to that level here."""
    rows = (
        Appeal.objects.filter(where, received_at__gte=lo, received_at__lt=hi, region__isnull=False)
        .values_list("region__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter[str] = Counter()
    for path, n in rows:
        if _depth(path) >= depth:
            counts["/".join(path.split("/")[: depth + 1]) + "/"] += n
    return counts


def _similar(
    matter: Q, region: Region, own: int, span: timedelta, start: datetime
) -> tuple[list[str], int] | None:
    """The paths of the SIMILAR places most like `region` (same level, the nearest count of the
    matter in the window before, then the most; never the place itself or its district) and
    their count then; None when no other place had the matter."""
    depth = _depth(region.path)
    if depth < 2:
        return None  # the whole district has no like
    counts = _by_place(matter, start - span, start, depth)
    counts.pop(region.path, None)
    nearest = sorted(counts.items(), key=lambda pc: (abs(pc[1] - own), -pc[1], pc[0]))[:SIMILAR]
    if not nearest:
        return None
    return [p for p, _ in nearest], sum(n for _, n in nearest)


def volume_change(
    *,
    categories: list[Category],
    regions: list[Region],
    start: datetime,
    done: datetime | None,
    now: datetime,
    days: int = DAYS,
    similar: bool = False,
) -> VolumeChange:
    """Two counts before the work is done, four after; with `similar` and one place, the
    similar places' two more (one grouped query each)."""
    span = timedelta(days=days)
    matter, place = matter_q(categories), place_q(regions)
    elsewhere = matter & ~place if regions else None
    before = _count(matter & place, start - span, start)
    elsewhere_before = _count(elsewhere, start - span, start) if elsewhere is not None else 0
    like = (
        _similar(matter, regions[0], before, span, start) if similar and len(regions) == 1 else None
    )
    names: tuple[str, ...] = ()
    if like is not None:
        by_path = dict(Region.objects.filter(path__in=like[0]).values_list("path", "name"))
        names = tuple(by_path.get(p, p) for p in like[0])
    if done is None:
        alike = Similar(names, like[1], None) if like is not None else None
        return VolumeChange(days, before, None, 0, elsewhere_before, None, alike)
    end = min(now, done + span)
    observed = max(0, (end - done).days)
    after = _count(matter & place, done, end)
    elsewhere_after = _count(elsewhere, done, end) if elsewhere is not None else None
    alike = None
    if like is not None:
        later = _by_place(matter, done, end, _depth(regions[0].path))
        alike = Similar(names, like[1], sum(later[p] for p in like[0]))
    return VolumeChange(days, before, after, observed, elsewhere_before, elsewhere_after, alike)
