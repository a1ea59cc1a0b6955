"""Place and matter of an appeal, for hotspots (集中投诉): where it is and what it is about.

`matter_profile(title, content)` gives
- `places`: comparable keys of the specific places named (estate, road, institution,
  community: `places.extract_places`, plus estates named by 苑/园/城 that the general extractor
  leaves out, e.g. 伊景园滨河苑); the title's places when it names any, else those of the start
  of the content (roads there are mostly directions, so only estates, institutions and
  communities are taken from it);
- `area`: the coarse place (A3区, A市) when no specific place is named;
- `terms`: the matter's jieba words with the place names, district names and filler words
  (投诉, 关于, 问题, 请 …) taken out, counted title twice, the start of the content once;
- `display_place`, `matter_text`: what a label shows ("伊景园滨河苑", "捆绑销售车位").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .normalize import normalize_text
from .places import extract_places, place_key
from .tokenize import words

SPECIFIC_KINDS: Final = frozenset({"estate", "road", "institution", "community"})
CONTENT_KINDS: Final = frozenset({"estate", "institution", "community"})
CONTENT_CHARS: Final = 300
TEXT_CHARS: Final = 3000
# Estates the general extractor does not know by their suffix: 伊景园, 滨河苑, 武广新城. The
# name is the (at most 4) characters before the suffix, back to a non-Chinese character, a
# function character (关于伊景园 → 伊景园) or the previous name (伊景园滨河苑 → 伊景园, 滨河苑).
_EXTRA_SUFFIX: Final = re.compile(r"苑|园(?![区林艺长丁内外])|新城(?!区)")
_NAME_STOP: Final = frozenset(
    "的在了是和与及到从向对把被给我你他她它这那于里旁近映诉求问询报议望称叫住买个位将也都还又很让"
    "们该本此每其去说要须需必请"
)
_NOT_EXTRA: Final = frozenset(
    [
        "公园",
        "花园",
        "家园",
        "校园",
        "乐园",
        "陵园",
        "墓园",
        "菜园",
        "果园",
        "庄园",
        "田园",
        "动物园",
        "植物园",
        "幼儿园",
        "产业园",
        "工业园",
        "科技园",
        "物流园",
        "创业园",
        "软件园",
        "孵化园",
        "游乐园",
        "园园",
        "果蔬园",
    ]
)
_DISTRICT: Final = re.compile(r"(?:西地省)?[A-N]\d{0,2}[市区县]")
_FILLER: Final = frozenset(
    [
        "投诉",
        "反映",
        "反应",
        "关于",
        "问题",
        "请求",
        "恳请",
        "希望",
        "咨询",
        "建议",
        "领导",
        "政府",
        "有关部门",
        "有关",
        "相关",
        "部门",
        "如何",
        "为什么",
        "什么",
        "怎么",
        "怎么办",
        "是否",
        "能否",
        "可否",
        "可以",
        "我们",
        "你们",
        "他们",
        "这个",
        "那个",
        "已经",
        "没有",
        "不是",
        "还是",
        "一个",
        "现在",
        "目前",
        "情况",
        "解决",
        "处理",
        "要求",
        "请问",
        "尊敬",
        "您好",
        "你好",
        "书记",
        "市长",
        "区长",
        "局长",
        "谢谢",
        "感谢",
        "希望",
        "能够",
        "进行",
        "存在",
        "导致",
        "一下",
        "一直",
        "为何",
        "何时",
        "时候",
        "关注",
        "重视",
        "帮助",
        "帮忙",
        "给予",
        "答复",
        "回复",
        "举报",
        "申请",
        "办理",
        "反馈",
        "严重",
        "非常",
        "影响",
        "问一下",
        "真的",
        "不能",
        "不会",
        "需要",
        "应该",
        "是不是",
        "有没有",
        "多少",
        "多久",
        "以及",
        "或者",
        "但是",
        "因为",
        "所以",
        "如果",
        "由于",
        "对于",
        "小区",
        "社区",
        "街道",
        "本人",
        "我家",
        "业主",
        "居民",
        "市民",
        "群众",
        "老百姓",
        "百姓",
        "大家",
        "有人",
        "一些",
        "很多",
        "许多",
        "个人",
        "同时",
    ]
)


@dataclass(frozen=True)
class MatterProfile:
    places: tuple[str, ...]  # place keys, most specific first; () when none is named
    area: str  # the coarse place when no specific one is named ("A3区", "A市", "")
    terms: dict[str, float]  # matter words → count (title words count twice)
    title_terms: frozenset[str]  # the matter words of the title (labels are made of these)
    display_place: str  # as written, adjacent names joined ("伊景园滨河苑")
    matter_text: str  # the title without place names, district names and filler (for labels)
    text: str = ""  # the title and the whole content: where a place may be named further on


def _extra_estates(text: str) -> list[tuple[int, int]]:
    text = _DISTRICT.sub(lambda m: " " * len(m.group()), text)
    out: list[tuple[int, int]] = []
    prev_end = 0
    for m in _EXTRA_SUFFIX.finditer(text):
        start = m.start()
        while (
            start > max(prev_end, m.start() - 4)
            and "\u4e00" <= text[start - 1] <= "\u9fa5"
            and text[start - 1] not in _NAME_STOP
        ):
            start -= 1
        name = text[start : m.end()]
        if m.start() - start < 2 or any(name.endswith(w) for w in _NOT_EXTRA):
            continue
        out.append((start, m.end()))
        prev_end = m.end()
    return out


def _spans(text: str, kinds: frozenset[str]) -> list[tuple[int, int]]:
    spans = [(c.start, c.end) for c in extract_places(text) if c.kind in kinds]
    taken = [range(s, e) for s, e in spans]
    for s, e in _extra_estates(text):
        if not any(s in r or (e - 1) in r for r in taken):
            spans.append((s, e))
    return sorted(spans)


def _after_district(name: str) -> str:
    """The name after the last district named inside it (请公开A1区东成大厦 → 东成大厦)."""
    parts = _DISTRICT.split(name)
    return parts[-1] if len(parts[-1]) >= 2 else name


def _keys(text: str, spans: list[tuple[int, int]]) -> list[str]:
    keys = []
    for s, e in spans:
        key = place_key(_after_district(text[s:e]))
        if len(key) >= 2 and key not in keys:
            keys.append(key)
    return keys


def _display(text: str, spans: list[tuple[int, int]]) -> str:
    """The first place as written, joined with the places right after it (伊景园·滨河苑)."""
    if not spans:
        return ""
    start, end = spans[0]
    for s, e in spans[1:]:
        if s - end <= 1 and not text[end:s].strip("·.、 "):
            end = e
        else:
            break
    shown = _after_district(text[start:end]).strip("·. ")
    return re.sub(r"[·.]", "", shown) or text[start:end]


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        chars[s:e] = " " * (e - s)
    return _DISTRICT.sub(" ", "".join(chars))


def matter_words(text: str) -> list[str]:
    return [
        w
        for w in words(text)
        if len(w) >= 2 and w not in _FILLER and not w.isascii() and not w.isdigit()
    ]


def matter_profile(title: str, content: str) -> MatterProfile:
    title = normalize_text(title)
    whole = normalize_text(content)[:TEXT_CHARS]
    content = whole[:CONTENT_CHARS]
    t_spans = _spans(title, SPECIFIC_KINDS)
    c_spans = _spans(content, CONTENT_KINDS)
    places = _keys(title, t_spans) or _keys(content, c_spans)
    display = _display(title, t_spans) if t_spans else _display(content, c_spans)
    area = ""
    if not places:
        districts = _DISTRICT.findall(title) or _DISTRICT.findall(content)
        area = districts[0].removeprefix("西地省") if districts else ""
    title_rest = _blank(title, t_spans)
    terms: dict[str, float] = {}
    in_title = matter_words(title_rest)
    for w in in_title:
        terms[w] = terms.get(w, 0.0) + 2.0
    for w in matter_words(_blank(content, c_spans)):
        terms[w] = terms.get(w, 0.0) + 1.0
    # Character pairs of the title's words: 油烟味 meets 油烟, 底层商铺 meets 底层门店.
    for w in in_title:
        for i in range(len(w) - 1):
            pair = "#" + w[i : i + 2]
            terms[pair] = terms.get(pair, 0.0) + 1.0
    matter_text = re.sub(r"\s+", " ", title_rest).strip()
    return MatterProfile(
        places=tuple(places),
        area=area,
        terms=terms,
        title_terms=frozenset(in_title),
        display_place=display,
        matter_text=matter_text,
        text=f"{title} {whole}",
    )
