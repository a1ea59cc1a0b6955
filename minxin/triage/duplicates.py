"""The duplicate lookup over every stored appeal.

Each triaged appeal's MinHash signature and its LSH band hashes are stored (AppealSignature).
A lookup asks the database for the appeals of the time window that share at least one band
with the new text — eight indexed equality lookups, whatever the number of stored appeals —
then scores those few candidates with the library's DuplicateIndex (similarity, place, person),
so the app and the `minxin.triage` library answer alike; `duplicates_current` says what became
of the hits (merged ones stand for their target, invalid ones drop out).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any, Final

import numpy as np
from django.db import connection
from django.db.models import Q

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.triage.nlp.duplicates import (
    BANDS,
    MAX_PER_BAND,
    NUM_PERM,
    DuplicateCandidate,
    DuplicateIndex,
    band_keys,
    signature,
)
from minxin.triage.nlp.places import place_key

from .models import AppealSignature

DUPLICATE_WINDOW_DAYS: Final = 90.0
MAX_CANDIDATES: Final = BANDS * MAX_PER_BAND
MAX_SCORED: Final = 100  # candidates handed to the index; a query returns at most 10
BATCH: Final = 2000
_SHIFT: Final = 2**31  # band hashes are unsigned 32-bit; the columns are signed


def _band_values(sig: np.ndarray) -> dict[str, int]:
    return {f"b{i}": int(b) - _SHIFT for i, b in enumerate(band_keys(sig))}


SignatureSource = tuple[int, str, str, datetime, str, str]
"""What a signature is made of: (appeal id, title, content, received_at, place_text, phone)."""


def signatures_store(appeal_ids: Iterable[int]) -> int:
    """Compute and store (or refresh) the signatures of these appeals; the number stored."""
    return signatures_write(
        Appeal.objects.filter(pk__in=list(appeal_ids)).values_list(
            "pk", "title", "content", "received_at", "place_text", "appellant_phone"
        )
    )


def signatures_write(sources: Iterable[SignatureSource]) -> int:
    """Store (or refresh) the signatures of appeals already read, in one statement; the number
    stored."""
    rows = signature_rows(sources)
    signature_rows_write(rows)
    return len(rows)


def signature_rows(sources: Iterable[SignatureSource]) -> list[AppealSignature]:
    """The signatures of appeals already read, not stored yet."""
    rows = []
    for pk, title, content, received_at, place_text, phone in sources:
        sig = signature(title, content)
        rows.append(
            AppealSignature(
                appeal_id=pk,
                received_at=received_at,
                signature=sig.astype(np.uint32).tobytes(),
                place_key=place_key(place_text)[:100] if place_text else "",
                person=DuplicateIndex.person_id(phone or None),
                **_band_values(sig),
            )
        )
    return rows


def signature_rows_write(rows: Sequence[AppealSignature]) -> None:
    """Store (or refresh) these signatures, in one statement."""
    if rows:
        AppealSignature.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["appeal"],
            update_fields=["received_at", "signature", "place_key", "person", *_BANDS],
        )


def signatures_backfill(*, batch: int = BATCH) -> int:
    """Store the signatures of the appeals that have none (after an upgrade or a bulk load);
    the number stored. Walks the appeals by id, one batch at a time."""
    done, last = 0, 0
    while True:
        ids = list(
            Appeal.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        last = ids[-1]
        have = set(
            AppealSignature.objects.filter(appeal_id__in=ids).values_list("appeal_id", flat=True)
        )
        done += signatures_store(pk for pk in ids if pk not in have)


def duplicate_index_for(
    *,
    title: str,
    content: str,
    around: datetime,
    exclude_id: int | None = None,
    exclude_ids: Collection[int] = (),
    window_days: float = DUPLICATE_WINDOW_DAYS,
) -> DuplicateIndex:
    """A small DuplicateIndex of the stored appeals received within `window_days` before
    `around` that share an LSH band with this text, ready for `query`: of the newest
    MAX_CANDIDATES, the MAX_SCORED most similar. One query, on the signatures alone (joining
    each candidate to its appeal for the status cost more than the lookup itself): what became
    of the hits is asked by `duplicates_current`. `exclude_ids`: stored appeals to leave out as
    well (a batch's appeals triaged after this one)."""
    sig = signature(title, content)
    candidates = AppealSignature.objects.filter(
        reduce(or_, (Q(**{name: value}) for name, value in _band_values(sig).items())),
        received_at__gte=around - timedelta(days=window_days),
        received_at__lte=around,
    )
    left_out = [*([] if exclude_id is None else [exclude_id]), *exclude_ids]
    if left_out:
        candidates = candidates.exclude(appeal_id__in=left_out)
    found = list(candidates.order_by("-received_at").values_list(*_CANDIDATE)[:MAX_CANDIDATES])
    return _index_of(sig, found)


Candidate = tuple[
    int, bytes, datetime, str, int
]  # appeal_id, signature, received_at, place, person
_CANDIDATE: Final = ("appeal_id", "signature", "received_at", "place_key", "person")
_BANDS: Final = [f"b{i}" for i in range(BANDS)]


def _index_of(sig: np.ndarray, found: Sequence[Candidate]) -> DuplicateIndex:
    """The index of the candidates (newest first): the MAX_SCORED most similar."""
    index = DuplicateIndex()
    if not found:
        return index
    sigs = np.frombuffer(b"".join(bytes(row[1]) for row in found), dtype=np.uint32).reshape(
        -1, NUM_PERM
    )
    best = np.argsort(-(sigs == sig).mean(axis=1), kind="stable")[:MAX_SCORED]
    index.add_signatures(
        np.array([found[i][0] for i in best], dtype=np.int64),
        sigs[best],
        np.array([found[i][2].timestamp() for i in best], dtype=np.float64),
        [found[i][3] or None for i in best],
        np.array([found[i][4] for i in best], dtype=np.int64),
    )
    return index


def duplicate_indexes_for_batch(
    rows: Sequence[AppealSignature], *, window_days: float = DUPLICATE_WINDOW_DAYS
) -> list[DuplicateIndex]:
    """For a triage batch, oldest first, given its signatures (`signature_rows`): each appeal's
    `duplicate_index_for` as if the batch were triaged one after the other: the stored appeals
    but the batch's (in one statement on PostgreSQL, a query per appeal on SQLite) with the
    batch's earlier appeals, newest first, cut at MAX_CANDIDATES."""
    ids = [row.appeal_id for row in rows]
    windows = [(row.received_at - timedelta(days=window_days), row.received_at) for row in rows]
    stored = _stored_candidates(rows, windows, ids)
    indexes = []
    for n, (row, (since, until)) in enumerate(zip(rows, windows, strict=True)):
        bands = [getattr(row, b) for b in _BANDS]
        earlier: list[Candidate] = [
            (e.appeal_id, bytes(e.signature), e.received_at, e.place_key, e.person)
            for e in rows[:n]
            if since <= e.received_at <= until
            and any(getattr(e, b) == v for b, v in zip(_BANDS, bands, strict=True))
        ]
        found = sorted([*stored[n], *earlier], key=lambda c: c[2], reverse=True)
        indexes.append(
            _index_of(np.frombuffer(row.signature, dtype=np.uint32), found[:MAX_CANDIDATES])
        )
    return indexes


def _stored_candidates(
    rows: Sequence[AppealSignature],
    windows: Sequence[tuple[datetime, datetime]],
    left_out: list[int],
) -> list[list[Candidate]]:
    """Per row, the stored appeals in its window sharing a band with it, but `left_out`: the
    newest MAX_CANDIDATES."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        # One LATERAL lookup per appeal: the plan of the query per appeal, in one round trip.
        params: list[Any] = [list(range(len(rows)))]
        params += [[getattr(row, b) for row in rows] for b in _BANDS]
        params += [[since for since, _ in windows], [until for _, until in windows]]
        params += [left_out, MAX_CANDIDATES]
        found: list[list[Candidate]] = [[] for _ in rows]
        with connection.cursor() as cursor:
            cursor.execute(_STORED_SQL, params)
            for n, *candidate in cursor.fetchall():
                pk, sig, received_at, place, person = candidate
                found[n].append((pk, bytes(sig), received_at, place, person))
        return found
    return [
        list(
            AppealSignature.objects.filter(
                reduce(or_, (Q(**{b: getattr(row, b)}) for b in _BANDS)),
                received_at__gte=since,
                received_at__lte=until,
            )
            .exclude(appeal_id__in=left_out)
            .order_by("-received_at")
            .values_list(*_CANDIDATE)[:MAX_CANDIDATES]
        )
        for row, (since, until) in zip(rows, windows, strict=True)
    ]


_STORED_SQL: Final = """
SELECT wanted.n, found.appeal_id, found.signature, found.received_at, found.place_key,
    found.person
FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[],
    %s::int[], %s::int[], %s::timestamptz[], %s::timestamptz[])
    AS wanted(n, b0, b1, b2, b3, b4, b5, b6, b7, since, until)
CROSS JOIN LATERAL (
    SELECT s.appeal_id, s.signature, s.received_at, s.place_key, s.person
    FROM triage_appealsignature s
    WHERE (s.b0 = wanted.b0 OR s.b1 = wanted.b1 OR s.b2 = wanted.b2 OR s.b3 = wanted.b3
        OR s.b4 = wanted.b4 OR s.b5 = wanted.b5 OR s.b6 = wanted.b6 OR s.b7 = wanted.b7)
        AND s.received_at >= wanted.since AND s.received_at <= wanted.until
        AND s.appeal_id <> ALL(%s::bigint[])
    ORDER BY s.received_at DESC
    LIMIT %s
) AS found
ORDER BY wanted.n, found.received_at DESC
"""


@dataclass(frozen=True)
class CurrentDuplicate:
    appeal_id: int
    tracking_number: str
    candidate: DuplicateCandidate  # the hit this comes from (a merged hit's target has its score)


def duplicates_current(hits: Sequence[DuplicateCandidate]) -> list[CurrentDuplicate]:
    """The hits as they stand now, in one query: an invalid appeal is not a duplicate; a merged
    one stands for the appeal it was merged into (once, the first time it comes)."""
    return duplicates_current_many([hits])[0]


def duplicates_current_many(
    hit_lists: Sequence[Sequence[DuplicateCandidate]],
) -> list[list[CurrentDuplicate]]:
    """`duplicates_current` of several appeals' hits (a triage batch), in one query."""
    wanted = {h.key for hits in hit_lists for h in hits}
    rows = {
        pk: (number, status, target, target_number)
        for pk, number, status, target, target_number in (
            Appeal.objects.filter(pk__in=wanted).values_list(
                "pk",
                "tracking_number",
                "status",
                "merged_into_id",
                "merged_into__tracking_number",
            )
            if wanted
            else []
        )
    }
    return [_current(hits, rows) for hits in hit_lists]


def _current(
    hits: Sequence[DuplicateCandidate], rows: Mapping[int, tuple[str, str, int | None, str]]
) -> list[CurrentDuplicate]:
    out: list[CurrentDuplicate] = []
    seen: set[int] = set()
    for hit in hits:
        if hit.key not in rows:
            continue
        number, status, target, target_number = rows[hit.key]
        if status == AppealStatus.INVALID:
            continue
        pk = hit.key
        if status == AppealStatus.MERGED:
            if target is None:
                continue
            pk, number = target, target_number
        if pk not in seen:
            seen.add(pk)
            out.append(CurrentDuplicate(pk, number, hit))
    return out
