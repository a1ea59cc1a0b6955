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

import csv
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

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
TITLES_KEPT: Final = 50
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


IDF_PATH: Final = Path(__file__).parent / "data" / "hotspot_idf.tsv"
IDF_FILES: Final = (
    "board_with_likes.csv",
    "board_with_replies.csv",
    "unlabelled.csv",
    "labelled_sample.csv",
)


def idf_table_write(data_dir: Path, out: Path = IDF_PATH, *, min_df: int = 2) -> int:
    """The IDF the app uses (a file is fitted on itself): document frequencies of the matter
    words over the board's messages (`IDF_FILES`, de-duplicated by text), words in at least
    `min_df` of them; the first line holds the number of messages. Returns that number."""
    seen: set[str] = set()
    df: Counter[str] = Counter()
    for name in IDF_FILES:
        with (data_dir / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                text = f"{row['title']}\n{row['content']}"
                if text in seen:
                    continue
                seen.add(text)
                df.update(matter_profile(row["title"], row["content"]).terms.keys())
    lines = [f"\t{len(seen)}"] + [
        f"{t}\t{d}" for t, d in sorted(df.items(), key=lambda x: (-x[1], x[0])) if d >= min_df
    ]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(seen)


@cache
def shipped_idf() -> Callable[[str], float]:
    """The IDF of `idf_table_write`'s file, as `fit_idf` gives it (unknown words: df 1).
    Read a line at a time, the words of a document frequency sharing one float: the table
    stays in each web process that triages, 3 MB so, 8 MB read whole into lists first."""
    table: dict[str, float] = {}
    weight: dict[int, float] = {}  # document frequency → IDF
    with IDF_PATH.open(encoding="utf-8") as lines:
        n = int(next(lines).split("\t")[1])
        for line in lines:
            term, df = line.rstrip("\n").split("\t")
            d = int(df)
            if d not in weight:
                weight[d] = math.log((1 + n) / (1 + d)) + 1.0
            table[term] = weight[d]
    rare = math.log((1 + n) / 2) + 1.0
    return lambda term: table.get(term, rare)


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
    """A cluster as it grows: what joining, ranking and labelling need. The app keeps the same
    state in its Hotspot table (`to_state` / `from_state`)."""

    number: int
    area: str | None  # None for a place's hotspot; the district ("" for none) otherwise
    places: Counter[str] = field(default_factory=Counter)
    displays: Counter[str] = field(default_factory=Counter)
    vector: dict[str, float] = field(default_factory=dict)
    norm2: float = 0.0
    term_df: Counter[str] = field(default_factory=Counter)  # members whose title has it
    titles: list[str] = field(default_factory=list)  # the first TITLES_KEPT, for the label
    first: float | None = None
    last: float | None = None
    size: int = 0
    members: list[int] = field(default_factory=list)  # the batch's row numbers (not stored)
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

    def _add_vector(self, v: Mapping[str, float]) -> None:
        for t, w in v.items():
            old = self.vector.get(t, 0.0)
            self.vector[t] = old + w
            self.norm2 += (old + w) ** 2 - old * old

    def _add_time(self, stamp: float | None) -> None:
        if stamp is not None:
            self.first = stamp if self.first is None else min(self.first, stamp)
            self.last = stamp if self.last is None else max(self.last, stamp)

    def merge(self, other: Hotspot) -> None:
        self._add_vector(other.vector)
        self.places.update(other.places)
        self.displays.update(other.displays)
        self.term_df.update(other.term_df)
        self.titles.extend(other.titles[: max(0, TITLES_KEPT - len(self.titles))])
        self.members.extend(other.members)
        self.size += other.size
        self._add_time(other.first)
        self._add_time(other.last)
        other.merged_into = self.number
        other.members = []
        other.size = 0

    def absorb(
        self, member: int, p: MatterProfile, v: Mapping[str, float], when: float | None
    ) -> None:
        self._add_vector(v)
        self.places.update(p.places)
        if p.display_place:
            self.displays[p.display_place] += 1
        self.term_df.update(p.title_terms)
        if len(self.titles) < TITLES_KEPT:
            self.titles.append(p.matter_text)
        self.members.append(member)
        self.size += 1
        self._add_time(when)

    def to_state(self) -> dict[str, object]:
        """What the app stores of a hotspot beside its columns (number, area, times, size)."""
        return {
            "places": dict(self.places),
            "displays": dict(self.displays),
            "vector": self.vector,
            "norm2": self.norm2,
            "term_df": dict(self.term_df),
            "titles": self.titles,
        }

    @classmethod
    def from_state(
        cls,
        state: Mapping[str, Any],
        *,
        number: int,
        area: str | None,
        first: float | None,
        last: float | None,
        size: int,
    ) -> Hotspot:
        return cls(
            number=number,
            area=area,
            places=Counter(state.get("places", {})),
            displays=Counter(state.get("displays", {})),
            vector=dict(state.get("vector", {})),
            norm2=float(state.get("norm2", 0.0)),
            term_df=Counter(state.get("term_df", {})),
            titles=list(state.get("titles", [])),
            first=first,
            last=last,
            size=size,
        )


def anchors(v: Mapping[str, float]) -> list[str]:
    """An appeal's strongest matter words."""
    return sorted(v, key=lambda t: -v[t])[:ANCHORS]


def lookup_keys(p: MatterProfile, v: Mapping[str, float]) -> list[str]:
    """The keys under which the hotspots this appeal may join are found: its places (and their
    parts, for one name inside another), else its strongest words and its district."""
    if p.places:
        return sorted({f"p:{t}" for key in p.places for t in _place_tokens(key)})
    return [f"w:{t}" for t in anchors(v)] + [f"a:{p.area}"]


def keys_to_register(h: Hotspot, p: MatterProfile, v: Mapping[str, float]) -> list[str]:
    """The keys that lead to `h` once `p` has joined it (call before `absorb`)."""
    if h.area is not None:
        return [f"a:{h.area}"] if h.size == 0 else []
    new = {f"p:{t}" for key in p.places if key not in h.places for t in _place_tokens(key)}
    return sorted(new) + [f"w:{t}" for t in anchors(v)]


def join_bar(p: MatterProfile, h: Hotspot) -> float | None:
    """How close the appeal's matter must be to join `h`; None: it may not."""
    if p.places:
        if h.area is None and any(_related(a, b) for a in p.places for b in h.places):
            return PLACE_JOIN
        return None
    if h.area is None:
        # A place's hotspot, for an appeal that names the place only further on in its text.
        return ANCHOR_JOIN if any(key in p.text for key in h.places) else None
    return AREA_JOIN if h.area == p.area else None


def best_hotspot(
    p: MatterProfile, v: Mapping[str, float], candidates: Iterable[Hotspot]
) -> Hotspot | None:
    """The candidate (live, within the window) the appeal fits best, if it fits one."""
    fits = []
    for h in candidates:
        bar = join_bar(p, h)
        if bar is not None and v:
            score = h.cosine(v)
            if score >= bar:
                fits.append((-score, h.number, h))
    return min(fits, key=lambda f: (f[0], f[1]))[2] if fits else None


def hotspots_to_merge(
    best: Hotspot, p: MatterProfile, candidates: Iterable[Hotspot]
) -> list[Hotspot]:
    """After an appeal joined `best`: the other hotspots of its places whose matter has grown
    alike (the fumes and the noise of the same shops)."""
    if not p.places:
        return []
    # All measured against `best` as it is now, so the order of the candidates does not matter.
    return [
        h
        for h in candidates
        if h is not best
        and h.merged_into is None
        and join_bar(p, h) is not None
        and best.similarity(h) >= HOTSPOT_MERGE
    ]


class HotspotIndex:
    """Appeals added one at a time, each joining the hotspot it fits best or starting one."""

    def __init__(self, idf: Callable[[str], float], *, window_days: float = WINDOW_DAYS) -> None:
        self.idf = idf
        self.window = window_days * DAY
        self.hotspots: list[Hotspot] = []
        self._by_key: dict[str, list[int]] = {}

    def live(self) -> list[Hotspot]:
        return [h for h in self.hotspots if h.merged_into is None]

    def _root(self, number: int) -> Hotspot:
        h = self.hotspots[number]
        while h.merged_into is not None:
            h = self.hotspots[h.merged_into]
        return h

    def candidates(
        self, p: MatterProfile, v: Mapping[str, float], when: float | None
    ) -> list[Hotspot]:
        """The live hotspots found under the appeal's keys, active within the window."""
        numbers = (n for key in lookup_keys(p, v) for n in self._by_key.get(key, ()))
        out = []
        for n in dict.fromkeys(self._root(n).number for n in numbers):
            h = self.hotspots[n]
            if when is None or h.last is None or when - h.last <= self.window:
                out.append(h)
        return out

    def add(self, member: int, p: MatterProfile, when: float | None) -> Hotspot:
        v = matter_vector(p, self.idf)
        candidates = self.candidates(p, v, when)
        best = best_hotspot(p, v, candidates)
        if best is None:
            best = Hotspot(number=len(self.hotspots), area=None if p.places else p.area)
            self.hotspots.append(best)
        for key in keys_to_register(best, p, v):
            numbers = self._by_key.setdefault(key, [])
            if not numbers or numbers[-1] != best.number:
                numbers.append(best.number)
        best.absorb(member, p, v, when)
        for other in hotspots_to_merge(best, p, candidates):
            best.merge(other)
        return best


def hotspot_label(h: Hotspot) -> tuple[str, str, str]:
    """(label, place, matter) of a hotspot."""
    place = h.displays.most_common(1)[0][0] if h.displays else (h.area or "")
    n = h.size
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
