"""Hotspots (热点): many people, one matter, one place, one period — found by clustering a batch
of appeals, and ranked by a heat index.

Two appeals are linked when they name the same specific place (estate, road, institution or
community — districts, cities and streets are too coarse) and describe the same matter: the
titles with the place names taken out are close (cosine of character 1–2-gram TF-IDF ≥ 0.13) or
the contents are (character 2–3-gram TF-IDF ≥ 0.2). Texts that are near-identical (contents ≥
0.6) are also linked when one names no place or one place name contains the other ("经济学院" /
"涉外经济学院"), never when they name different places. Links span at most `window_days`.
Clusters are the connected components.

heat = (people + 2·ln(1 + likes)) / sqrt(1 + span_days / 30)
  people    distinct authors (the `user` column when given, else rows)
  likes     sum of likes (support from people who did not write)
  span_days days between the first and the last appeal of the cluster
Many people and many likes in a short time make a hot spot; the same handful of people over
years cools down.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .classifier import fit_idf, tfidf
from .normalize import normalize_text
from .places import extract_places
from .tokenize import ngram_buckets

TITLE_RELATED: Final = 0.13  # titles without place names: same matter at the same place
CONTENT_RELATED: Final = 0.2  # contents: same matter at the same place
TEXT_SAME: Final = 0.6  # near-identical contents: linked unless the places differ
WINDOW_DAYS: Final = 1095.0  # the official example hotspot itself spans 2.5 years
SPECIFIC_KINDS: Final = frozenset({"estate", "road", "institution", "community"})
CONTENT_KINDS: Final = frozenset({"estate", "institution", "community"})
N_FEATURES: Final = 1 << 18


@dataclass(frozen=True)
class HotspotInput:
    id: str
    title: str
    content: str
    time: datetime | None = None
    likes: int = 0
    user: str = ""


@dataclass(frozen=True)
class HotspotRow:
    id: str
    cluster_id: str  # "" for a singleton
    heat: float


def heat_index(people: int, likes: int, span_days: float) -> float:
    return (people + 2.0 * math.log1p(max(likes, 0))) / math.sqrt(1.0 + max(span_days, 0.0) / 30.0)


def _matrix(texts: Sequence[str], ngram_range: tuple[int, int]) -> sp.csr_matrix:
    indptr = [0]
    idx: list[np.ndarray] = []
    val: list[np.ndarray] = []
    for text in texts:
        ids, counts = ngram_buckets(text, N_FEATURES, ngram_range)
        idx.append(ids)
        val.append(counts)
        indptr.append(indptr[-1] + len(ids))
    counts_m = sp.csr_matrix(
        (
            np.concatenate(val) if val else np.zeros(0),
            np.concatenate(idx) if idx else np.zeros(0, int),
            indptr,
        ),
        shape=(len(texts), N_FEATURES),
    )
    return tfidf(counts_m, fit_idf(counts_m))


def _title_without_places(title: str) -> str:
    for c in extract_places(title):
        title = title.replace(c.text, " ")
    return re.sub(r"[A-N]\d{0,2}[市区县]|西地省", " ", title)


def _place_keys(title: str, content: str) -> set[str]:
    """Specific places of the title, and the estates, institutions and communities of the start
    of the content (roads in a content are mostly directions, not the place of the matter)."""
    keys = {c.key for c in extract_places(title) if c.kind in SPECIFIC_KINDS}
    keys |= {c.key for c in extract_places(content[:300]) if c.kind in CONTENT_KINDS}
    return {k for k in keys if len(k) >= 2}


def _place_relation(a: set[str], b: set[str]) -> int:
    """2: a place named in both; 1: one name contains the other (经济学院 / 涉外经济学院);
    0: different places."""
    if a & b:
        return 2
    if any((len(x) >= 3 and x in y) or (len(y) >= 3 and y in x) for x in a for y in b):
        return 1
    return 0


def cluster_hotspots(
    items: Sequence[HotspotInput], *, window_days: float = WINDOW_DAYS, block: int = 2000
) -> list[HotspotRow]:
    """One row per input, clusters ranked by heat (hottest first), singletons after them."""
    n = len(items)
    if n == 0:
        return []
    stamps = np.array([it.time.timestamp() if it.time else np.nan for it in items])
    rows, cols = _related_pairs(items, stamps, window_days=window_days, block=block)
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        members.setdefault(int(lab), []).append(i)
    scored: list[tuple[float, int, list[int]]] = []
    for lab, idx in members.items():
        people = len({items[i].user or f"#{i}" for i in idx})
        likes = sum(items[i].likes for i in idx)
        ts = [stamps[i] for i in idx if not np.isnan(stamps[i])]
        span = (max(ts) - min(ts)) / 86400.0 if ts else 0.0
        scored.append((heat_index(people, likes, span), lab, idx))
    scored.sort(key=lambda t: (len(t[2]) == 1, -t[0], min(t[2])))
    out: list[HotspotRow] = []
    rank = 0
    for heat, _, idx in scored:
        cid = ""
        if len(idx) > 1:
            rank += 1
            cid = f"H{rank:04d}"
        out.extend(HotspotRow(items[i].id, cid, round(heat, 3)) for i in sorted(idx))
    return out


def _related_pairs(
    items: Sequence[HotspotInput], stamps: np.ndarray, *, window_days: float, block: int
) -> tuple[list[int], list[int]]:
    """Pairs (i < j) of messages about one matter: similar titles or contents, within the
    window, and at one place when both name places (a place named in one only is enough when
    the texts are nearly the same)."""
    titles = [normalize_text(it.title) for it in items]
    contents = [normalize_text(it.content)[:1500] for it in items]
    xt = _matrix([_title_without_places(t) for t in titles], (1, 2))
    xc = _matrix(contents, (2, 3))
    places = [_place_keys(t, c) for t, c in zip(titles, contents, strict=True)]
    rows: list[int] = []
    cols: list[int] = []
    for start in range(0, len(items), block):
        st = (xt[start : start + block] @ xt.T).tocsr()
        sc = (xc[start : start + block] @ xc.T).tocsr()
        cand = ((st >= TITLE_RELATED) + (sc >= CONTENT_RELATED)).tocoo()
        for r, j in zip(cand.row, cand.col, strict=True):
            i = int(r) + start
            if i >= j:
                continue
            dt = abs(stamps[i] - stamps[j]) / 86400.0
            if not np.isnan(dt) and dt > window_days:
                continue
            pi, pj = places[i], places[j]
            relation = _place_relation(pi, pj) if pi and pj else 1
            if relation == 0 or (relation == 1 and sc[r, j] < TEXT_SAME):
                continue
            rows.append(i)
            cols.append(int(j))
    return rows, cols
