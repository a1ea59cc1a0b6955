"""Hotspots in the app: each triaged appeal joins the hotspot of its place and matter, or starts
one — the library's `HotspotIndex.add`, with the index in the database.

The lookup reads the hotspots found under the appeal's keys (`HotspotKey`: place names and their
parts, strong words, the district) whose last appeal falls in the window — an indexed range per
key, whatever the number of stored appeals — at most MAX_CANDIDATES of them, locked; the
library decides (`best_hotspot`, `hotspots_to_merge`); the joined hotspot's state, keys and the
membership are written in the same transaction. The IDF is the shipped table
(`nlp/data/hotspot_idf.tsv`, `minxin triage hotspot-idf`), so a hotspot's centroid means the
same thing from one appeal to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.db import connection, transaction
from django.db.models import Count, Q

from minxin.cases.models import Appeal
from minxin.triage.nlp.hotspots import (
    WINDOW_DAYS,
    Hotspot,
    best_hotspot,
    heat_index,
    hotspot_label,
    hotspots_to_merge,
    keys_to_register,
    lookup_keys,
    matter_vector,
    shipped_idf,
)
from minxin.triage.nlp.matter import MatterProfile, matter_profile

from .models import Hotspot as HotspotRow
from .models import HotspotKey, HotspotMember

MAX_CANDIDATES: Final = 50  # hotspots read per appeal: the most recently active under its keys


def _stamp(value: datetime) -> float:
    return value.timestamp()


def _time(stamp: float | None, default: datetime) -> datetime:
    return datetime.fromtimestamp(stamp, tz=default.tzinfo) if stamp is not None else default


def _loaded(row: HotspotRow) -> Hotspot:
    return Hotspot.from_state(
        row.state,
        number=row.pk,
        area=row.area,
        first=_stamp(row.first_at),
        last=_stamp(row.last_at),
        size=row.size,
    )


def _recent_under(keys: list[str], since: datetime) -> list[int]:
    """The hotspots under these keys whose last appeal is at or after `since`, most recent
    first: per key, an index range read backwards and cut at MAX_CANDIDATES (a common word or a
    district has many), in one statement on PostgreSQL."""
    keys = list(dict.fromkeys(key[:64] for key in keys))
    if not keys:
        return []
    if connection.vendor == "postgresql":
        # One LATERAL range per key: the same plan as a UNION of the per-key queries, without
        # building a queryset per key (the ORM's work was a third of the step).
        with connection.cursor() as cursor:
            cursor.execute(_RECENT_SQL, [keys, since, MAX_CANDIDATES])
            rows = cursor.fetchall()
    else:  # SQLite: one query per key (in-process, cheap)
        rows = [
            row
            for key in keys
            for row in HotspotKey.objects.filter(key=key, last_at__gte=since)
            .order_by("-last_at")
            .values_list("hotspot_id", "last_at")[:MAX_CANDIDATES]
        ]
        rows.sort(key=lambda r: r[1], reverse=True)
    return list(dict.fromkeys(hotspot_id for hotspot_id, _ in rows))


_RECENT_SQL: Final = """
SELECT found.hotspot_id, found.last_at
FROM unnest(%s::varchar[]) AS wanted(key)
CROSS JOIN LATERAL (
    SELECT k.hotspot_id, k.last_at FROM triage_hotspotkey k
    WHERE k.key = wanted.key AND k.last_at >= %s
    ORDER BY k.last_at DESC LIMIT %s
) AS found
ORDER BY found.last_at DESC
"""


@transaction.atomic
def appeal_hotspot_assign(*, appeal_id: int, appeal: Appeal | None = None) -> int:
    """Put the appeal into the hotspot of its place and matter (or a new one); the hotspot's id.
    An appeal already placed stays where it is. Runs inside the caller's transaction when there
    is one (triage calls it on its own). `appeal`: the appeal as the caller has read it (its
    title, content and received_at are used)."""
    # The appeal locked first: a dispatcher's triage panel and the worker may place the same
    # appeal at once, and the second must find the first one's membership, not insert another.
    list(Appeal.objects.select_for_update(no_key=True).filter(pk=appeal_id).values_list("pk"))
    placed = HotspotMember.objects.filter(appeal_id=appeal_id).values_list("hotspot_id", flat=True)
    for hotspot_id in placed:
        return hotspot_id
    if appeal is not None and appeal.pk == appeal_id:
        title, content, received_at = appeal.title, appeal.content, appeal.received_at
    else:
        title, content, received_at = Appeal.objects.values_list(
            "title", "content", "received_at"
        ).get(pk=appeal_id)
    profile = matter_profile(title, content)
    vector = matter_vector(profile, shipped_idf())
    since = received_at - timedelta(days=WINDOW_DAYS)
    ids = _recent_under(lookup_keys(profile, vector), since)
    rows = {
        row.pk: row
        for row in HotspotRow.objects.select_for_update()
        .filter(pk__in=ids[:MAX_CANDIDATES], merged_into__isnull=True)
        .filter(last_at__gte=since)
        .order_by("pk")
    }
    candidates = [_loaded(row) for row in rows.values()]
    best = best_hotspot(profile, vector, candidates)
    stamp = _stamp(received_at)
    if best is None:
        return _hotspot_started(appeal_id, profile, vector, received_at, stamp)
    new_keys = keys_to_register(best, profile, vector)
    best.absorb(appeal_id, profile, vector, stamp)
    merged = hotspots_to_merge(best, profile, candidates)
    for other in merged:
        best.merge(other)
    label, place, matter = hotspot_label(best)
    row = rows[best.number]
    row.state = best.to_state()
    row.size = best.size
    row.first_at = _time(best.first, received_at)
    row.last_at = _time(best.last, received_at)
    row.label, row.place, row.matter = label[:200], place[:100], matter[:100]
    row.save(update_fields=["state", "size", "first_at", "last_at", "label", "place", "matter"])
    gone = [other.number for other in merged]
    if gone:
        HotspotRow.objects.filter(pk__in=gone).update(merged_into=row, size=0, state={})
        HotspotMember.objects.filter(hotspot_id__in=gone).update(hotspot=row)
        HotspotKey.objects.filter(hotspot_id__in=gone).update(hotspot=row)
    if new_keys:
        HotspotKey.objects.bulk_create(
            HotspotKey(hotspot=row, key=key[:64], last_at=row.last_at) for key in new_keys
        )
    HotspotKey.objects.filter(hotspot=row, last_at__lt=row.last_at).update(last_at=row.last_at)
    HotspotMember.objects.create(appeal_id=appeal_id, hotspot=row)
    return row.pk


def _hotspot_started(
    appeal_id: int,
    profile: MatterProfile,
    vector: dict[str, float],
    received_at: datetime,
    stamp: float,
) -> int:
    """A new hotspot of one appeal: one INSERT with its state, its keys, the membership."""
    best = Hotspot(number=-1, area=None if profile.places else profile.area)
    new_keys = keys_to_register(best, profile, vector)
    best.absorb(appeal_id, profile, vector, stamp)
    label, place, matter = hotspot_label(best)
    row = HotspotRow.objects.create(
        area=best.area,
        first_at=received_at,
        last_at=received_at,
        size=1,
        state=best.to_state(),
        label=label[:200],
        place=place[:100],
        matter=matter[:100],
    )
    HotspotKey.objects.bulk_create(
        HotspotKey(hotspot=row, key=key[:64], last_at=received_at) for key in new_keys
    )
    HotspotMember.objects.create(appeal_id=appeal_id, hotspot=row)
    return row.pk


def hotspots_backfill(*, batch: int = 500) -> int:
    """Place every appeal that has no hotspot yet, oldest first (after an upgrade or a bulk
    load); how many were placed."""
    done = 0
    while True:
        ids = list(
            Appeal.objects.filter(~Q(pk__in=HotspotMember.objects.values("appeal_id")))
            .order_by("received_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        for pk in ids:
            appeal_hotspot_assign(appeal_id=pk)
        done += len(ids)


@dataclass(frozen=True)
class ActiveHotspot:
    hotspot_id: int
    label: str
    appeal_id: int  # the first appeal, to open from the dashboard
    tracking_number: str
    appeals: int
    people: int  # distinct callers (appeals without a phone count one each)
    supports: int  # readers' 附议 on its appeals
    first_at: datetime
    last_at: datetime
    heat: float


def hotspots_active(
    *, since: datetime, until: datetime, scan: int, rows: int
) -> list[ActiveHotspot]:
    """Hotspots of two or more appeals with an appeal in [since, until), hottest first (the
    heat index of `nlp.hotspots`): the `scan` largest are scored, `rows` returned."""
    found = list(
        HotspotRow.objects.filter(
            size__gte=2, merged_into__isnull=True, last_at__gte=since, first_at__lt=until
        )
        .order_by("-size", "-last_at")
        .values("pk", "label", "size", "first_at", "last_at")[:scan]
    )
    ids = [h["pk"] for h in found]
    members = HotspotMember.objects.filter(hotspot_id__in=ids)
    people = dict(
        members.values("hotspot_id")
        .annotate(
            n=Count("appeal__appellant_phone", distinct=True, filter=~Q(appeal__appellant_phone=""))
            + Count("pk", filter=Q(appeal__appellant_phone=""))
        )
        .values_list("hotspot_id", "n")
    )
    supports = dict(
        members.filter(appeal__supports__isnull=False)
        .values("hotspot_id")
        .annotate(n=Count("appeal__supports"))
        .values_list("hotspot_id", "n")
    )
    first: dict[int, tuple[int, str]] = {}
    ordered = members.order_by("hotspot_id", "appeal__received_at", "pk")
    for hotspot_id, pk, number in ordered.values_list(
        "hotspot_id", "appeal_id", "appeal__tracking_number"
    ):
        first.setdefault(hotspot_id, (pk, number))
    out = []
    for h in found:
        span = (h["last_at"] - h["first_at"]).total_seconds() / 86400.0
        n_people = people.get(h["pk"], 0)
        n_supports = supports.get(h["pk"], 0)
        pk, number = first.get(h["pk"], (0, ""))
        out.append(
            ActiveHotspot(
                hotspot_id=h["pk"],
                label=h["label"],
                appeal_id=pk,
                tracking_number=number,
                appeals=h["size"],
                people=n_people,
                supports=n_supports,
                first_at=h["first_at"],
                last_at=h["last_at"],
                heat=round(heat_index(n_people, n_supports, span), 3),
            )
        )
    out.sort(key=lambda a: (-a.heat, -a.appeals, a.hotspot_id))
    return out[:rows]


def hotspot_members_among(*, appeal_ids: list[int], hotspot_ids: list[int]) -> set[int]:
    """Those of the appeals that belong to one of the hotspots."""
    if not appeal_ids or not hotspot_ids:
        return set()
    return set(
        HotspotMember.objects.filter(
            appeal_id__in=appeal_ids, hotspot_id__in=hotspot_ids
        ).values_list("appeal_id", flat=True)
    )
