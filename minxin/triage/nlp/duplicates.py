"""Duplicates and repeats: a MinHash LSH index over character shingles, with place and time
filters, that answers without scanning the stored appeals.

MinHash signatures (32 × 32-bit, multiply-shift hashing of character 2-gram hashes) are cut
into 8 bands of 4; each band is kept as a sorted array of (band hash, row), so a lookup is 8
binary searches. Rows added since the last `compact()` wait in small dicts. Candidates are
checked on their signatures (estimated Jaccard) and on place and time. Memory: about 220 bytes
per appeal (1,000,000 appeals ≈ 210 MB of numpy arrays).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt

from .normalize import normalize_text
from .tokenize import ngram_hashes

NUM_PERM: Final = 32
BANDS: Final = 8
ROWS: Final = NUM_PERM // BANDS
MAX_PER_BAND: Final = 200  # a band shared by more rows than this is boilerplate; take the newest
_rng = np.random.default_rng(20200)
_A: Final = _rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B: Final = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_BAND_MIX: Final = _rng.integers(1, 2**63, ROWS, dtype=np.uint64) | np.uint64(1)
_S32: Final = np.uint64(32)

U32 = npt.NDArray[np.uint32]
_Scalar = TypeVar("_Scalar", bound=np.generic)


def _unique(values: npt.NDArray[_Scalar]) -> npt.NDArray[_Scalar]:
    """np.unique(values): the sorted distinct values, without numpy.ma, which np.unique imports
    (3 MB a web process) only to ask whether `values` is a masked array."""
    ordered = np.sort(values, axis=None)
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


@functools.lru_cache(maxsize=16)
def signature(title: str, content: str) -> U32:
    """MinHash of the character bigrams of the normalised title and content (first 1,000).
    Remembered for the last few texts (read-only): the app's lookup signs the new text for the
    database query, then the library's `query` signs it again."""
    text = normalize_text(title) + " " + normalize_text(content)[:1000]
    text = "".join(ch for ch in text if ch.isalnum())
    h = ngram_hashes(text, (2, 2))
    if len(h) == 0:
        h = ngram_hashes(text or "∅", (1, 1))
    h = _unique(h >> _S32)
    sig = ((h[:, None] * _A[None, :] + _B[None, :]) >> _S32).min(axis=0).astype(np.uint32)
    sig.flags.writeable = False
    return sig


def band_keys(sig: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """(…, BANDS) band hashes of (…, NUM_PERM) signatures."""
    s = sig.reshape(*sig.shape[:-1], BANDS, ROWS).astype(np.uint64)
    mixed = (s * _BAND_MIX).sum(axis=-1) + np.arange(BANDS, dtype=np.uint64)
    mixed ^= mixed >> _S32
    return (mixed & np.uint64(0xFFFFFFFF)).astype(np.uint32)


@dataclass(frozen=True)
class DuplicateCandidate:
    key: int  # the caller's id of the stored appeal
    similarity: float  # estimated Jaccard of character bigrams, 0–1
    same_person: bool  # a repeat (重复诉求) rather than a duplicate by someone else
    same_place: bool | None  # None: one of the two has no place
    time: float | None  # stored POSIX time


class DuplicateIndex:
    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.sigs = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self.times = np.zeros(0, dtype=np.float64)
        self.places = np.zeros(0, dtype=np.int32)
        self.persons = np.zeros(0, dtype=np.int64)
        self._bands = np.zeros((BANDS, 0), dtype=np.uint32)  # sorted band hashes
        self._rows = np.zeros((BANDS, 0), dtype=np.int32)  # their rows
        self._pending: list[tuple[int, U32, float, int, int]] = []
        self._pending_bands: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
        self._place_ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.keys) + len(self._pending)

    def _place_id(self, place: str | None) -> int:
        if not place:
            return -1
        return self._place_ids.setdefault(place, len(self._place_ids))

    @staticmethod
    def person_id(person: str | None) -> int:
        """A stable 63-bit hash of who raised it (a phone), -1 for nobody: kept instead of the
        phone itself."""
        if not person:
            return -1
        return (
            int.from_bytes(hashlib.blake2b(person.encode("utf-8"), digest_size=8).digest(), "big")
            >> 1
        )

    def add(
        self,
        key: int,
        title: str,
        content: str,
        *,
        time: float | None = None,
        place: str | None = None,
        person: str | None = None,
    ) -> None:
        sig = signature(title, content)
        row = len(self.keys) + len(self._pending)
        self._pending.append(
            (
                key,
                sig,
                np.nan if time is None else time,
                self._place_id(place),
                self.person_id(person),
            )
        )
        for b, bk in enumerate(band_keys(sig)):
            self._pending_bands[b].setdefault(int(bk), []).append(row)
        if len(self._pending) >= 20000:
            self.compact()

    def add_signatures(
        self,
        keys: npt.NDArray[np.int64],
        sigs: npt.NDArray[np.uint32],
        times: npt.NDArray[np.float64],
        places: Sequence[str | None],
        persons: Sequence[str | None] | npt.NDArray[np.int64],
    ) -> None:
        """Bulk load (index rebuilds, benchmarks, the database's candidates): signatures
        computed by the caller; `persons` as given to `add`, or already as `person_id`s."""
        self.compact()
        self.keys = np.concatenate([self.keys, keys.astype(np.int64)])
        self.sigs = np.vstack([self.sigs, sigs.astype(np.uint32)])
        self.times = np.concatenate([self.times, times.astype(np.float64)])
        self.places = np.concatenate(
            [self.places, np.array([self._place_id(p) for p in places], dtype=np.int32)]
        )
        ids = (
            persons.astype(np.int64)
            if isinstance(persons, np.ndarray)
            else np.array([self.person_id(p) for p in persons], dtype=np.int64)
        )
        self.persons = np.concatenate([self.persons, ids])
        self._rebuild_bands()

    def compact(self) -> None:
        if not self._pending:
            return
        keys, sigs, times, places, persons = zip(*self._pending, strict=True)
        self.keys = np.concatenate([self.keys, np.array(keys, dtype=np.int64)])
        self.sigs = np.vstack([self.sigs, np.array(sigs, dtype=np.uint32)])
        self.times = np.concatenate([self.times, np.array(times, dtype=np.float64)])
        self.places = np.concatenate([self.places, np.array(places, dtype=np.int32)])
        self.persons = np.concatenate([self.persons, np.array(persons, dtype=np.int64)])
        self._pending = []
        self._pending_bands = [{} for _ in range(BANDS)]
        self._rebuild_bands()

    def _rebuild_bands(self) -> None:
        bk = band_keys(self.sigs).T  # (BANDS, n)
        order = np.argsort(bk, axis=1, kind="stable")
        self._bands = np.take_along_axis(bk, order, axis=1)
        self._rows = order.astype(np.int32)

    def _candidates(self, bks: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        found: list[npt.NDArray[np.int32]] = []
        for b in range(BANDS):
            key = bks[b]
            lo = int(np.searchsorted(self._bands[b], key, side="left"))
            hi = int(np.searchsorted(self._bands[b], key, side="right"))
            if hi > lo:
                found.append(self._rows[b, max(lo, hi - MAX_PER_BAND) : hi])
            extra = self._pending_bands[b].get(int(key))
            if extra:
                found.append(np.array(extra[-MAX_PER_BAND:], dtype=np.int32))
        if not found:
            return np.zeros(0, dtype=np.int64)
        return _unique(np.concatenate(found)).astype(np.int64)

    def query(
        self,
        title: str,
        content: str,
        *,
        time: float | None = None,
        window_days: float | None = 90.0,
        place: str | None = None,
        person: str | None = None,
        min_similarity: float = 0.5,
        limit: int = 10,
        exclude_key: int | None = None,
    ) -> list[DuplicateCandidate]:
        """Stored appeals like this one, most similar first. With `time`, only those up to
        `window_days` earlier (or later); with `place`, those at another known place are left
        out."""
        if len(self) == 0:
            return []
        sig = signature(title, content)
        rows = self._candidates(band_keys(sig))
        if len(rows) == 0:
            return []
        if self._pending:
            self.compact()
        sims = (self.sigs[rows] == sig).mean(axis=1)
        keep = sims >= min_similarity
        if time is not None and window_days is not None:
            dt = np.abs(self.times[rows] - time)
            keep &= ~(dt > window_days * 86400.0)
        pid = self._place_ids.get(place, -2) if place else -1
        if pid != -1:
            stored = self.places[rows]
            keep &= (stored == -1) | (stored == pid)
        if exclude_key is not None:
            keep &= self.keys[rows] != exclude_key
        rows, sims = rows[keep], sims[keep]
        order = np.argsort(-sims, kind="stable")[:limit]
        me = self.person_id(person)
        out: list[DuplicateCandidate] = []
        for i in order:
            r = rows[i]
            stored_place = int(self.places[r])
            t = float(self.times[r])
            out.append(
                DuplicateCandidate(
                    key=int(self.keys[r]),
                    similarity=round(float(sims[i]), 3),
                    same_person=me != -1 and int(self.persons[r]) == me,
                    same_place=None if pid == -1 or stored_place == -1 else stored_place == pid,
                    time=None if np.isnan(t) else t,
                )
            )
        return out
