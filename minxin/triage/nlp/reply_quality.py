"""The quality of a reply to an appeal (答复质量), checked before a handler submits it and again
for the centre's reviewer: a score out of 100 and, for each check, a reason in Chinese.

Five checks, each worth a share of the score:

- 针对本诉求 (30): the reply names the appeal's place (its estate, road, institution, when the
  appeal names one) and its matter (the title's matter words);
- 办理过程和结果 (25): it says what was done (调查、核实、现场查看、协调、整改…) and with what
  result or answer (已修复、现已、经查、根据…规定、承诺于…前…);
- 承办人和联系方式 (20): it names who handled it (a unit, an official) and how to reach them (a
  telephone number, 联系电话);
- 不含他人个人信息 (15): no personal data of third parties — mobile numbers, ID-card and plate
  numbers, e-mail addresses, names after a cue (`core.privacy`, the staff rule) or after a word
  for a resident (居民、村民、业主、住户…); an office landline after 电话 is the unit's contact,
  not personal data;
- 不是套话 (10): what is left once the greetings, acknowledgements, thanks and "transferred to
  the department" formulas (the sentences repeated most across the 2,816 real replies,
  docs/reply-quality.md) are taken out is long enough to say something.

Pure Python, no Django: the review app calls `reply_quality` with the appeal's title, text and
place and the reply's text. What it can and cannot catch is in docs/reply-quality.md: it reads
words, not facts — a reply that names the place, says 已整改 and gives a number passes whether
or not anything was done."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from minxin.core.privacy import find_personal_data

from .matter import matter_profile
from .normalize import normalize_text
from .places import place_key

# --- the check's vocabulary ---------------------------------------------------------------

_ACTION_RE: Final = re.compile(
    "调查|核实|核查|查看|勘查|勘察|走访|现场|检查|排查|巡查|协调|约谈|督促|责成|要求|组织|"
    "安排|处理|处置|整改|整治|清理|清运|维修|修复|维护|更换|拆除|执法|处罚|立案|查处|"
    "联系了|电话联系|召开|研究|会同|联合|跟进|回访|测量|检测|疏通|复核|审核|受理"
)
_RESULT_RE: Final = re.compile(
    "已经|已(?!收悉|转)|现已|目前|完毕|完成|解决|恢复|办结|结果|经查|查明|核实情况|"
    "情况如下|答复如下|回复如下|不符合|符合|属实|不属实|承诺|将于|计划|预计|"
    "根据|依据|按照|规定|政策|条例|办法|标准|可以|需要|应当|请您|建议您"
)
_WHO_RE: Final = re.compile(
    "局|委|办公室|办事处|街道|镇|乡|社区|村委|居委|中心|公司|所|队|站|院|部门|科|"
    "同志|工作人员|负责人|主任|书记|站长|队长|所长|科长"
)
_CONTACT_RE: Final = re.compile(
    r"联系电话|咨询电话|联系方式|电话|热线|来电|0\d{2,3}[-－—]?\d{7,8}|12345|0000-0+"
)
# An office landline (area code, dash, number) after 电话: the unit's contact, not a person's.
_OFFICE_PHONE_RE: Final = re.compile(r"(?<!\d)0\d{2,3}[-－—]\d{7,8}(?!\d)")
# A resident named in the reply (居民蒋某某, 业主王小明): a third party's name.
_RESIDENT_NAME_RE: Final = re.compile(
    r"(?:居民|村民|业主|住户|户主|租户|当事人|商户|店主|车主|邻居)"
    r"(?P<n>[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    r"杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史黎贺顾"
    r"毛郝龚邵万钱严覃武戴莫孔向汤][\u4e00-\u9fa5]{1,2})"
    r"(?=[，,。、的家在于因为其与和及（(]|$)"
)
_PERSONAL_KINDS: Final = {
    "phone": "手机号码",
    "id_card": "身份证号码",
    "plate": "车牌号码",
    "email": "电子邮箱",
    "name": "姓名",
}
# The formulas every reply may carry (greetings, acknowledgements, thanks, "transferred"):
# the sentences most repeated across the 2,816 real replies (scripts/reply_quality_report.py
# lists them), as patterns.
_BOILERPLATE_RE: Final = re.compile(
    r"(?:尊敬的)?(?:网友)?(?:[“\"「][^”\"」]{0,30}[”\"」])?[：:，,]?\s*(?:您|你)好[！!，,。：:]?"
    r"|(?:您|你)?(?:的|通过[^，。]{0,20}的)?(?:留言|来信|问政|信件|反映的问题|所反映的问题|反映的情况)"
    r"(?:已|均已)?收悉[，,。！!]?"
    r"|已收悉[，,。！!]?|来信收悉[，,。！!]?|留言收悉[，,。！!]?"
    r"|(?:衷心)?(?:感谢|谢谢)(?:您|你)?(?:对[^。！!]{0,30}(?:支持|关心|监督|理解|信任|关注))?[。！!，,]?"
    r"|感谢(?:您的)?(?:留言|来信|问政)[。！!，,]?"
    r"|特此(?:回复|答复)[。！!]?"
    r"|(?:我们|我局|现)?已(?:将[^。]{0,20})?转(?:交)?(?:有关|相关)(?:部门|单位)[^。]{0,30}[。！!]?"
    r"|(?:如有情况|处理情况|有关情况)?(?:会|将)?及时(?:回复|反馈)[^。]{0,10}[。！!]?"
    r"|敬请(?:关注|谅解)[^。]{0,20}[。！!]?"
    r"|现将有关情况(?:答复|回复)如下[：:]?"
    r"|\d{4}年\d{1,2}月\d{1,2}日"
)
SUBSTANCE_MIN: Final = 60  # characters of substance for the full points
SUBSTANCE_NONE: Final = 20  # below this, the reply is all formula

WEIGHTS: Final = {
    "place": 15,
    "matter": 15,
    "action": 12,
    "result": 13,
    "who": 8,
    "contact": 12,
    "privacy": 15,
    "substance": 10,
}


@dataclass(frozen=True)
class QualityCheck:
    name: str  # a key of WEIGHTS
    label: str  # in Chinese
    points: int
    full: int
    reason: str  # in Chinese: why it got full, some or no points

    @property
    def passed(self) -> bool:
        return self.points == self.full


@dataclass(frozen=True)
class ReplyQuality:
    score: int  # 0–100
    checks: tuple[QualityCheck, ...]

    @property
    def problems(self) -> list[str]:
        """The reasons of the checks that lost points, in the checks' order."""
        return [c.reason for c in self.checks if not c.passed]

    @property
    def personal_data(self) -> bool:
        return any(c.name == "privacy" and not c.passed for c in self.checks)

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "checks": [
                {"name": c.name, "label": c.label, "points": c.points, "full": c.full,
                 "reason": c.reason}
                for c in self.checks
            ],
        }  # fmt: skip


def substance(reply: str) -> str:
    """The reply without its formulas and spaces: what it says of its own."""
    return re.sub(r"\s+", "", _BOILERPLATE_RE.sub("", reply))


# Characters that make a cue's match a word, an office or an already masked name (周某), not a
# person's name: the staff rule reads 姓… and …先生 generously, a reply names offices often.
_NOT_IN_NAMES: Final = frozenset("某的局委办所队站院联询查和与及等续主")


def _a_name(text: str) -> bool:
    return 2 <= len(text) <= 3 and not (set(text) & _NOT_IN_NAMES)


def third_party_data(reply: str) -> list[str]:
    """What in the reply looks like a third party's personal data, as kinds in Chinese."""
    found: list[str] = []
    office = [m.span() for m in _OFFICE_PHONE_RE.finditer(reply)]
    for span in find_personal_data(reply):
        if span.kind == "phone" and any(s <= span.start < e for s, e in office):
            continue
        if span.kind == "name" and not _a_name(span.text):
            continue
        label = _PERSONAL_KINDS.get(span.kind, span.kind)
        if label not in found:
            found.append(label)
    resident = _RESIDENT_NAME_RE.search(reply)
    if resident and _a_name(resident.group("n")) and "姓名" not in found:
        found.append("姓名")
    return found


def _mentioned(place: str, reply: str) -> bool:
    """The place's name in the reply: whole, or its first three characters for a long name
    (香山冲国家森林公园 → 香山冲), without the district prefix a title glues on (县永平路)."""
    core = place.lstrip("省市县区镇乡")
    if len(core) < 2:
        return False
    return core in reply or (len(core) >= 4 and core[:3] in reply)


def _term_met(term: str, reply: str) -> bool:
    """A matter word in the reply, or most of its character pairs (养老保险 → 养老…保险)."""
    if term in reply:
        return True
    pairs = [term[i : i + 2] for i in range(len(term) - 1)]
    return len(pairs) >= 2 and sum(p in reply for p in pairs) * 2 > len(pairs)


# name → (label, reason when met, reason when not); {} takes the detail.
_BINARY: Final = {
    "action": (
        "办理过程",
        "答复说明了办理过程",
        "答复没有说明做了什么（调查、核实、协调、整改等）",
    ),
    "result": (
        "办理结果",
        "答复说明了办理结果或政策答复",
        "答复没有说明结果如何（已解决、现状、依据的规定等）",
    ),
    "who": ("承办人", "答复写明了承办单位或人员", "答复没有写明由哪个单位或谁办理"),
    "contact": ("联系方式", "答复留有联系方式", "答复没有留联系电话，群众无法进一步咨询"),
    "privacy": ("个人信息", "答复未发现他人个人信息", "答复含有他人个人信息（{}），发布前请删除"),
}


def _binary(name: str, met: bool, detail: str = "") -> QualityCheck:
    label, good, bad = _BINARY[name]
    full = WEIGHTS[name]
    if met:
        return QualityCheck(name, label, full, full, good)
    return QualityCheck(name, label, 0, full, bad.format(detail))


def _substance_check(n: int) -> QualityCheck:
    full = WEIGHTS["substance"]
    if n >= SUBSTANCE_MIN:
        return QualityCheck("substance", "实质内容", full, full, "答复有实质内容，不是套话")
    if n < SUBSTANCE_NONE:
        why = "答复基本是套话（问候、收悉、感谢、转办），没有实质内容"
        return QualityCheck("substance", "实质内容", 0, full, why)
    points = round(full * (n - SUBSTANCE_NONE) / (SUBSTANCE_MIN - SUBSTANCE_NONE))
    why = f"答复去掉套话后只有{n}个字，内容单薄"
    return QualityCheck("substance", "实质内容", points, full, why)


def _place_check(places: list[str], display: str, reply: str) -> QualityCheck:
    full = WEIGHTS["place"]
    if not places:
        return QualityCheck("place", "地点", full, full, "诉求未写明具体地点，不作要求")
    if any(_mentioned(p, reply) for p in places):
        return QualityCheck("place", "地点", full, full, f"答复提及了诉求地点（{display}）")
    return QualityCheck("place", "地点", 0, full, f"答复没有提及诉求地点（{display}）")


def _matter_check(terms: frozenset[str], reply: str) -> QualityCheck:
    full = WEIGHTS["matter"]
    if not terms:
        return QualityCheck("matter", "事项", full, full, "诉求标题没有可比对的事项词")
    met = sorted(t for t in terms if _term_met(t, reply))
    share = len(met) / len(terms)
    points = full if share >= 0.5 else round(full * share * 2)
    if points == full:
        return QualityCheck(
            "matter", "事项", points, full, f"答复回应了诉求事项（{'、'.join(met[:4])}）"
        )
    missing = "、".join(sorted(terms - set(met))[:4])
    return QualityCheck("matter", "事项", points, full, f"答复没有回应诉求事项中的：{missing}")


def reply_quality(*, title: str, content: str, reply: str, place_text: str = "") -> ReplyQuality:
    """Score a reply against its appeal; every check with its reason in Chinese."""
    reply = normalize_text(reply)
    profile = matter_profile(normalize_text(title), normalize_text(content))
    places = list(profile.places)
    display = profile.display_place
    if place_text.strip():
        own = place_key(normalize_text(place_text))
        if len(own) >= 2:
            places.append(own)
            display = display or place_text.strip()
    checks = [
        _place_check(places, display or "、".join(places[:2]), reply),
        _matter_check(profile.title_terms, reply),
    ]
    essence = substance(reply)
    personal = third_party_data(reply)
    checks += [
        _binary("action", bool(_ACTION_RE.search(essence))),
        _binary("result", bool(_RESULT_RE.search(essence))),
        _binary("who", bool(_WHO_RE.search(essence))),
        _binary("contact", bool(_CONTACT_RE.search(reply))),
        _binary("privacy", not personal, "、".join(personal)),
        _substance_check(len(essence)),
    ]
    if len(essence) < SUBSTANCE_NONE:
        # A formula says nothing: what it happens to contain earns no points for the matter.
        checks = [
            c
            if c.name in ("privacy", "substance", "contact") or c.points == 0
            else QualityCheck(c.name, c.label, 0, c.full, f"答复没有实质内容，{c.label}不计分")
            for c in checks
        ]
    return ReplyQuality(score=sum(c.points for c in checks), checks=tuple(checks))
