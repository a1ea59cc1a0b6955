"""Places named in an appeal, matched against a region tree given as plain data.

The tree is a list of `RegionNode`s (code, name, level, parent code, aliases): the directory app
builds it from its Region table, tests and the CLI from literals. Names may be real (岳麓区,
桂花坪街道) or pseudonymised as in the TipDM data (A市, A3区, K11县). Besides tree matches, roads,
estates and institutions are picked out of the text by their suffixes, for duplicate detection
and to show the dispatcher."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

LEVEL_RANK: Final = {
    "province": 0,
    "city": 1,
    "district": 2,
    "subdistrict": 3,
    "community": 4,
    "grid": 5,
}
_STRIP_SUFFIXES: Final = (
    "街道办事处",
    "街道",
    "社区",
    "居委会",
    "村委会",
    "镇",
    "乡",
    "村",
    "区",
    "县",
)
_STOP: Final = frozenset(
    "的在了是和与及到从向对把被给我你他她它这那于里旁近映诉求问询报议望称叫住买个位将也都还又很让"
)


@dataclass(frozen=True)
class RegionNode:
    code: str
    name: str
    level: str  # province | city | district | subdistrict | community | grid
    parent_code: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaceCandidate:
    text: str  # as written
    kind: str  # a region level, or road | estate | institution
    start: int
    end: int
    region_code: str | None = None
    region_path: tuple[str, ...] = ()  # names from the top of the tree down to the match
    score: float = 0.0

    @property
    def key(self) -> str:
        """A comparable form: suffixes such as 小区 dropped (for duplicate/hotspot matching)."""
        return place_key(self.text)


_BRANDS: Final = re.compile(
    r"^(?:万科|碧桂园|恒大|保利|绿地|中海|华润|融创|金地|龙湖|世茂|招商|富力|新城|旭辉|中建|中铁|佳兆业|阳光城)"
)


def place_key(text: str) -> str:
    """The comparable core of a place name: no district prefix, developer brand or 小区 suffix
    ("A市万科魅力之城小区" → "魅力之城")."""
    text = re.sub(r"^(?:[A-N]\d{0,2}[市区县])+", "", text)
    core = re.sub(r"(?:小区|社区|街道|片区)$", "", text) or text
    branded = _BRANDS.sub("", core)
    return branded if len(branded) >= 2 else core


_STOP_CHARS: Final = "".join(sorted(_STOP | set("们该本此每其去说要须需必")))
_C: Final = rf"(?:(?![{_STOP_CHARS}])[\u4e00-\u9fa5])"  # a CJK character that can be in a name
_CA: Final = rf"(?:(?![{_STOP_CHARS}])[\u4e00-\u9fa5A-Za-z0-9])"
PLACE_RE: Final = re.compile(
    r"(?P<district>(?:西地省)?[A-N]\d{0,2}[市区县](?!局|院|委|政府))"
    rf"|(?P<subdistrict>{_C}{{2,5}}?(?:街道|镇|乡)(?![政长村民里上下]))"
    rf"|(?P<community>{_C}{{2,5}}?(?:社区|村)(?![民委干里]))"
    rf"|(?P<road>(?:(?![院区校]){_C}){{1,5}}?(?:大道|大街|路|街|巷)(?:\d+号)?(?![边上段面灯况费线]))"
    rf"|(?P<institution>{_C}{{2,10}}?(?:大学|学院|学校|中学|小学|幼儿园|医院|卫生院|公园))"
    rf"|(?P<estate>{_CA}{{2,8}}?(?:小区|花园|花苑|家园|公寓|大厦|新村|名苑|山庄|华府|华庭|雅苑|佳园|之城|商城|广场|国际|公馆)"
    r"(?:[一二三四五六七八九十\d]+期)?(?:小区)?)"
)
_RANK_FREE: Final = {
    "district": 0.2,
    "subdistrict": 0.3,
    "community": 0.4,
    "road": 0.45,
    "institution": 0.48,
    "estate": 0.5,
}
_GENERIC: Final = frozenset(
    [
        "道路",
        "马路",
        "公路",
        "线路",
        "铁路",
        "网路",
        "水路",
        "思路",
        "出路",
        "走路",
        "过路",
        "路路",
        "小路",
        "大路",
        "上路",
        "一路",
        "修路",
        "沿路",
        "老街",
        "上街",
        "小区",
        "新小区",
        "老小区",
        "社区",
        "农村",
        "广场",
        "国际",
        "商城",
        "医院",
        "大学",
        "学院",
        "学校",
        "中学",
        "小学",
        "幼儿园",
        "公园",
        "城乡",
        "街道",
        "城区",
        "市区",
        "县城",
        "乡镇",
        "城镇",
        "临街",
        "沿街",
        "外街",
        "上街",
        "当街",
        "十字路",
        "必经之路",
        "公交线路",
        "条路",
        "南路",
        "北路",
        "东路",
        "西路",
        "中路",
    ]
)
# Words that precede 小区/花园… without naming an estate ("周边小区", "安置小区").
_NOT_ESTATE: Final = frozenset(
    [
        "导致",
        "安置",
        "居民",
        "周边",
        "周围",
        "附近",
        "整个",
        "老旧",
        "新建",
        "所在",
        "住宅",
        "商品房",
        "高档",
        "配套",
        "我家",
        "本",
        "该",
        "这个",
        "那个",
        "严重影响",
        "开放式",
        "封闭式",
        "无物业",
        "老",
        "新",
        "各",
        "多个",
        "两个",
        "几个",
        "部分",
        "其他",
        "别的",
        "旁边",
        "对面",
        "隔壁",
        "同一",
    ]
)


@dataclass
class RegionTree:
    nodes: Sequence[RegionNode]
    _by_code: dict[str, RegionNode] = field(init=False, repr=False)
    _by_name: dict[str, list[RegionNode]] = field(init=False, repr=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {n.code: n for n in self.nodes}
        self._by_name = {}
        for node in self.nodes:
            for name in self._names(node):
                self._by_name.setdefault(name, []).append(node)
        names = sorted(self._by_name, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, names))) if names else None

    @staticmethod
    def _names(node: RegionNode) -> Iterable[str]:
        yield node.name
        yield from node.aliases
        for suffix in _STRIP_SUFFIXES:
            short = node.name.removesuffix(suffix)
            if short != node.name and len(short) >= 3:
                yield short
                break

    def path(self, code: str) -> tuple[str, ...]:
        out: list[str] = []
        node = self._by_code.get(code)
        while node is not None:
            out.append(node.name)
            node = self._by_code.get(node.parent_code) if node.parent_code else None
        return tuple(reversed(out))

    def ancestors(self, code: str) -> set[str]:
        out: set[str] = set()
        node = self._by_code.get(code)
        while node is not None and node.parent_code:
            out.add(node.parent_code)
            node = self._by_code.get(node.parent_code)
        return out

    def matches(self, text: str) -> list[PlaceCandidate]:
        if self._pattern is None:
            return []
        found: list[tuple[re.Match[str], list[RegionNode]]] = [
            (m, self._by_name[m.group()]) for m in self._pattern.finditer(text)
        ]
        codes = {n.code for _, nodes in found for n in nodes}
        out: list[PlaceCandidate] = []
        for m, nodes in found:
            # Several nodes of one name: prefer the one whose ancestors are also named.
            best = max(
                nodes,
                key=lambda n: (len(self.ancestors(n.code) & codes), -LEVEL_RANK.get(n.level, 9)),
            )
            support = len(self.ancestors(best.code) & codes)
            out.append(
                PlaceCandidate(
                    text=m.group(),
                    kind=best.level,
                    start=m.start(),
                    end=m.end(),
                    region_code=best.code,
                    region_path=self.path(best.code),
                    score=1.0 + LEVEL_RANK.get(best.level, 0) + support,
                )
            )
        return out


def extract_places(text: str, tree: RegionTree | None = None) -> list[PlaceCandidate]:
    """Tree matches first (most specific, best supported first), then free-text places."""
    tree_hits = tree.matches(text) if tree else []
    masked = list(text)
    for c in tree_hits:
        masked[c.start : c.end] = "|" * (c.end - c.start)
    free: list[PlaceCandidate] = []
    for m in PLACE_RE.finditer("".join(masked)):
        kind = m.lastgroup or "estate"
        name = m.group()
        start = m.start()
        if kind in ("road", "estate", "institution") and name[:2] in ("小区", "社区"):
            name, start = name[2:], start + 2
        if len(name) < 2 or name in _GENERIC:
            continue
        if kind == "estate" and place_key(name) in _NOT_ESTATE:
            continue
        if kind == "road" and (len(name) < 3 or name[-2] in "条之线字"):
            continue
        free.append(
            PlaceCandidate(text=name, kind=kind, start=start, end=m.end(), score=_RANK_FREE[kind])
        )
    tree_hits.sort(key=lambda c: -c.score)
    unique: list[PlaceCandidate] = []
    seen: set[tuple[str, str | None]] = set()
    for c in tree_hits + sorted(free, key=lambda c: (-c.score, c.start)):
        if (c.text, c.region_code) in seen:
            continue
        seen.add((c.text, c.region_code))
        unique.append(c)
    return unique


def best_region(candidates: Sequence[PlaceCandidate]) -> PlaceCandidate | None:
    """The most specific tree match, if any."""
    hits = [c for c in candidates if c.region_code]
    return max(hits, key=lambda c: c.score) if hits else None
