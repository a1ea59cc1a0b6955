"""Hotspots (热点, 集中投诉): many people, one matter, one place, one period.

Each appeal gets a place and a matter (`matter.matter_profile`): the specific places it names
(estate, road, institution, community), else its district; and the matter's words with the
place names and filler taken out, weighted by TF-IDF (title words twice). Appeals are taken in
time order, and each one either joins the hotspot it fits best or starts a new one
(`HotspotIndex.add`: the same code serves a whole file and the app's one-appeal-at-a-time use):

- a hotspot it may join names one of its places (the same key, or one name contains the other,
  at least 4 characters: 经济学院 / 涉外经济学院), has had an appeal in the last `window_days`,
  and its matter is close: cosine of the appeal's vector with the hotspot's centroid (the sum of
  its members' vectors) ≥ PLACE_JOIN;
- an appeal that names no specific place joins a place's hotspot only when its matter is very
  close (≥ ANCHOR_JOIN; the hotspot is found by the appeal's strongest words), or else one of its
  district's place-less hotspots at ≥ AREA_JOIN (a city-wide matter raised again and again);
- the same matter at two places that do not contain each other never joins.

A centroid rather than single links: one message that mentions two matters does not chain two
hotspots together, and paraphrases join because they share the matter's core words.

heat = (people + 2·ln(1 + likes)) / sqrt(1 + span_days / 30)
  people    distinct authors (the `user` column when given, else messages)
  likes     sum of likes (or 附议: support from people who did not write)
  span_days days between the first and the last appeal of the hotspot
Many people and many likes in a short time make a hot spot; the same handful of people over
years cools down.

The label reads "place · matter" ("伊景园滨河苑 · 捆绑销售车位"): the place as most members write
it, and the hotspot's strongest matter words shared by at least 30 % of its members, in the
order a member's title has them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from .matter import MatterProfile, matter_profile

PLACE_JOIN: Final = 0.2  # same place: the matter's cosine with the hotspot's centroid
HOTSPOT_MERGE: Final = 0.15  # two hotspots of one place whose centroids are this close
ANCHOR_JOIN: Final = 0.45  # no place named: joins a place's hotspot only when this close
AREA_JOIN: Final = 0.55  # no place named: a district's (or the city's) place-less hotspot
WINDOW_DAYS: Final = 365.0  # since the hotspot's last appeal (the official example spans 2.5 years)
CONTAIN_MIN: Final = 4  # a place name inside another counts when at least this long
ANCHORS: Final = 3  # an appeal's strongest words, by which place-less appeals find hotspots
LABEL_TERMS: Final = 3
LABEL_SHARE: Final = 0.3
PHRASE_MAX: Final = 14
DAY: Final = 86400.0


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


@dataclass(frozen=True)
class HotspotSummary:
    cluster_id: str
    label: str  # "伊景园滨河苑 · 捆绑销售车位"
    place: str
    matter: str
    first: datetime | None
    last: datetime | None
    messages: int
    people: int
    likes: int
    heat: float


@dataclass(frozen=True)
class HotspotResult:
    rows: list[HotspotRow]
    summaries: list[HotspotSummary]  # clusters of two or more, hottest first


def heat_index(people: int, likes: int, span_days: float) -> float:
    return (people + 2.0 * math.log1p(max(likes, 0))) / math.sqrt(1.0 + max(span_days, 0.0) / 30.0)


def fit_idf(profiles: Iterable[MatterProfile]) -> Callable[[str], float]:
    """Smoothed IDF of the matter words over a batch (unknown words weigh as the rarest)."""
    df: Counter[str] = Counter()
    n = 0
    for p in profiles:
        n += 1
        df.update(p.terms.keys())
    top = math.log((1 + n) / 1) + 1.0
    table = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    return lambda term: table.get(term, top)


def matter_vector(profile: MatterProfile, idf: Callable[[str], float]) -> dict[str, float]:
    """Sublinear TF × IDF of the matter words, L2-normalised."""
    v = {t: (1.0 + math.log(tf)) * idf(t) for t, tf in profile.terms.items() if tf > 0}
    norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
    return {t: w / norm for t, w in v.items()}


def _place_tokens(key: str) -> set[str]:
    """The key and its substrings of CONTAIN_MIN or more characters: two keys share a token when
    they are equal or one contains the other."""
    out = {key}
    for size in range(CONTAIN_MIN, len(key)):
        out.update(key[i : i + size] for i in range(len(key) - size + 1))
    return out


def _related(a: str, b: str) -> bool:
    return a == b or (len(a) >= CONTAIN_MIN and a in b) or (len(b) >= CONTAIN_MIN and b in a)


@dataclass
class Hotspot:
    """A cluster as it grows: what joining, ranking and labelling need."""

    number: int
    area: str | None  # None for a place's hotspot; the district ("" for none) otherwise
    places: Counter[str] = field(default_factory=Counter)
    displays: Counter[str] = field(default_factory=Counter)
    vector: dict[str, float] = field(default_factory=dict)
    norm2: float = 0.0
    term_df: Counter[str] = field(default_factory=Counter)  # members whose title has it
    titles: list[str] = field(default_factory=list)
    first: float | None = None
    last: float | None = None
    members: list[int] = field(default_factory=list)
    merged_into: int | None = None  # a hotspot merged into another one is empty

    def cosine(self, v: Mapping[str, float]) -> float:
        if self.norm2 <= 0:
            return 0.0
        return sum(w * self.vector.get(t, 0.0) for t, w in v.items()) / math.sqrt(self.norm2)

    def similarity(self, other: Hotspot) -> float:
        if self.norm2 <= 0 or other.norm2 <= 0:
            return 0.0
        small, large = sorted((self.vector, other.vector), key=len)
        dot = sum(w * large.get(t, 0.0) for t, w in small.items())
        return dot / math.sqrt(self.norm2 * other.norm2)

    def merge(self, other: Hotspot) -> None:
        for t, w in other.vector.items():
            old = self.vector.get(t, 0.0)
            self.vector[t] = old + w
            self.norm2 += (old + w) ** 2 - old * old
        self.places.update(other.places)
        self.displays.update(other.displays)
        self.term_df.update(other.term_df)
        self.titles.extend(other.titles)
        self.members.extend(other.members)
        for stamp in (other.first, other.last):
            if stamp is not None:
                self.first = stamp if self.first is None else min(self.first, stamp)
                self.last = stamp if self.last is None else max(self.last, stamp)
        other.merged_into = self.number
        other.members = []

    def absorb(
        self, member: int, p: MatterProfile, v: Mapping[str, float], when: float | None
    ) -> None:
        for t, w in v.items():
            old = self.vector.get(t, 0.0)
            self.vector[t] = old + w
            self.norm2 += (old + w) ** 2 - old * old
        self.places.update(p.places)
        if p.display_place:
            self.displays[p.display_place] += 1
        self.term_df.update(p.title_terms)
        self.titles.append(p.matter_text)
        self.members.append(member)
        if when is not None:
            self.first = when if self.first is None else min(self.first, when)
            self.last = when if self.last is None else max(self.last, when)


class HotspotIndex:
    """Appeals added one at a time, each joining the hotspot it fits best or starting one."""

    def __init__(self, idf: Callable[[str], float], *, window_days: float = WINDOW_DAYS) -> None:
        self.idf = idf
        self.window = window_days * DAY
        self.hotspots: list[Hotspot] = []
        self._by_place: dict[str, list[int]] = {}
        self._by_area: dict[str, list[int]] = {}
        self._by_word: dict[str, list[int]] = {}

    def live(self) -> list[Hotspot]:
        return [h for h in self.hotspots if h.merged_into is None]

    def _root(self, number: int) -> Hotspot:
        h = self.hotspots[number]
        while h.merged_into is not None:
            h = self.hotspots[h.merged_into]
        return h

    def _recent(self, numbers: Iterable[int], when: float | None) -> list[Hotspot]:
        out = []
        for n in dict.fromkeys(self._root(n).number for n in numbers):
            h = self.hotspots[n]
            if when is None or h.last is None or when - h.last <= self.window:
                out.append(h)
        return out

    def candidates(
        self, p: MatterProfile, v: Mapping[str, float], when: float | None
    ) -> list[tuple[Hotspot, float]]:
        """The hotspots the appeal may join, with the bar each must clear."""
        if p.places:
            numbers = [
                n
                for key in p.places
                for token in _place_tokens(key)
                for n in self._by_place.get(token, ())
            ]
            return [
                (h, PLACE_JOIN)
                for h in self._recent(numbers, when)
                if any(_related(a, b) for a in p.places for b in h.places)
            ]
        anchors = sorted(v, key=lambda t: -v[t])[:ANCHORS]
        by_word = self._recent((n for t in anchors for n in self._by_word.get(t, ())), when)
        by_area = self._recent(self._by_area.get(p.area, ()), when)
        return [(h, ANCHOR_JOIN) for h in by_word] + [(h, AREA_JOIN) for h in by_area]

    def add(self, member: int, p: MatterProfile, when: float | None) -> Hotspot:
        v = matter_vector(p, self.idf)
        scored = [(h.cosine(v), h, bar) for h, bar in (self.candidates(p, v, when) if v else [])]
        fits = sorted(
            ((score, h) for score, h, bar in scored if score >= bar),
            key=lambda f: (-f[0], f[1].number),
        )
        best = fits[0][1] if fits else None
        if best is None:
            best = Hotspot(number=len(self.hotspots), area=None if p.places else p.area)
            self.hotspots.append(best)
            if best.area is not None:
                self._by_area.setdefault(best.area, []).append(best.number)
        if best.area is None:
            for key in p.places:
                if key not in best.places:
                    for token in _place_tokens(key):
                        self._by_place.setdefault(token, []).append(best.number)
            for t in sorted(v, key=lambda t: -v[t])[:ANCHORS]:
                words = self._by_word.setdefault(t, [])
                if not words or words[-1] != best.number:
                    words.append(best.number)
        best.absorb(member, p, v, when)
        if p.places:
            # Hotspots of one place whose matters have grown alike become one.
            for _, other, _ in scored:
                if (
                    other is not best
                    and other.merged_into is None
                    and other.area is None
                    and best.similarity(other) >= HOTSPOT_MERGE
                ):
                    best.merge(other)
        return best


def hotspot_label(h: Hotspot) -> tuple[str, str, str]:
    """(label, place, matter) of a hotspot."""
    place = h.displays.most_common(1)[0][0] if h.displays else (h.area or "")
    n = len(h.members)
    shared = [t for t in h.term_df if h.term_df[t] >= max(2.0, LABEL_SHARE * n)]
    top = sorted(shared, key=lambda t: -h.vector[t])[:LABEL_TERMS]
    matter = _phrase(top, h.titles)
    label = f"{place} · {matter}" if place and matter else place or matter
    return label, place, matter


def _phrase(terms: Sequence[str], titles: Sequence[str]) -> str:
    """The stretch of a member title from the first to the last of the strongest terms
    ("捆绑销售车位"), with fewer terms when the stretch would be long; else the terms."""
    for k in range(len(terms), 0, -1):
        top = terms[:k]
        holding = [t for t in titles if all(w in t for w in top)]
        if not holding:
            continue
        title = min(holding, key=len)
        spans = [(title.index(w), title.index(w) + len(w)) for w in top]
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        stretch = re.sub(r"[\s,，、。！？!?]+", "", title[start:end])
        if len(stretch) <= PHRASE_MAX:
            return stretch
    return "、".join(terms[:2])


def find_hotspots(
    items: Sequence[HotspotInput],
    *,
    window_days: float = WINDOW_DAYS,
    idf: Callable[[str], float] | None = None,
) -> HotspotResult:
    """Every input in a row (clusters ranked by heat, singletons after them), and a summary per
    cluster of two or more. The IDF is fitted on the batch unless given."""
    profiles = [matter_profile(it.title, it.content) for it in items]
    index = HotspotIndex(idf or fit_idf(profiles), window_days=window_days)
    stamps = [it.time.timestamp() if it.time else None for it in items]
    order = sorted(range(len(items)), key=lambda i: (stamps[i] is None, stamps[i] or 0.0, i))
    for i in order:
        index.add(i, profiles[i], stamps[i])
    scored = []
    for h in index.live():
        people = len({items[i].user or f"#{i}" for i in h.members})
        likes = sum(items[i].likes for i in h.members)
        span = ((h.last - h.first) / DAY) if h.first is not None and h.last is not None else 0.0
        scored.append((heat_index(people, likes, span), h, people, likes))
    scored.sort(key=lambda s: (len(s[1].members) == 1, -s[0], min(s[1].members)))
    rows: list[HotspotRow] = []
    summaries: list[HotspotSummary] = []
    for heat, h, people, likes in scored:
        cid = ""
        if len(h.members) > 1:
            cid = f"H{len(summaries) + 1:04d}"
            label, place, matter = hotspot_label(h)
            summaries.append(
                HotspotSummary(
                    cluster_id=cid,
                    label=label,
                    place=place,
                    matter=matter,
                    first=_time(h.first),
                    last=_time(h.last),
                    messages=len(h.members),
                    people=people,
                    likes=likes,
                    heat=round(heat, 3),
                )
            )
        rows.extend(HotspotRow(items[i].id, cid, round(heat, 3)) for i in sorted(h.members))
    return HotspotResult(rows=rows, summaries=summaries)


def _time(stamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(stamp) if stamp is not None else None  # noqa: DTZ006


def cluster_hotspots(
    items: Sequence[HotspotInput], *, window_days: float = WINDOW_DAYS
) -> list[HotspotRow]:
    """One row per input, clusters ranked by heat (hottest first), singletons after them."""
    return find_hotspots(items, window_days=window_days).rows
