"""Urgency from the words of the appeal: a rule table, each rule with the reason shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

NORMAL: Final = "normal"
URGENT: Final = "urgent"
CRITICAL: Final = "critical"  # the values of deadlines.models.Urgency
_RANK: Final = {NORMAL: 0, URGENT: 1, CRITICAL: 2}


@dataclass(frozen=True)
class UrgencyRule:
    level: str
    reason: str
    pattern: re.Pattern[str]


def _rule(level: str, reason: str, words: str) -> UrgencyRule:
    return UrgencyRule(level, reason, re.compile(words))


# Order matters only for the order of reasons shown. Patterns run on normalised text.
RULES: Final[tuple[UrgencyRule, ...]] = (
    _rule(
        CRITICAL,
        "燃气泄漏",
        r"(?:燃气|煤气|天然气|液化气)(?:管道?)?(?:泄漏|泄露|漏气)|闻到(?:很大的)?(?:煤气|燃气)味",
    ),
    _rule(CRITICAL, "火情或爆炸", r"着火|起火|失火|火灾(?!隐患)|爆炸(?!性)|浓烟滚滚"),
    _rule(
        CRITICAL,
        "人员被困或生命危险",
        r"被困|生命危险|危及生命|命悬一线|奄奄一息|昏迷不醒|轻生|自杀|跳楼|溺水",
    ),
    _rule(
        CRITICAL,
        "正在坍塌",
        r"(?:正在|已经|已)(?:坍塌|倒塌|垮塌|塌陷)|(?:随时|马上)(?:可能)?(?:会)?(?:坍塌|倒塌|垮塌)",
    ),
    _rule(
        URGENT,
        "安全隐患",
        r"安全隐患|重大隐患|危险(?:房|楼|品)|危房|坍塌|倒塌|垮塌|塌陷|高空坠物|坠落|漏电|触电|"
        r"电线(?:裸露|脱落|垂落)|井盖(?:丢失|缺失|破损|被盗|没了)|消防通道(?:被)?(?:堵|占)|危及.{0,6}安全|随时可能",
    ),
    _rule(
        URGENT,
        "停水",
        r"停水|断水|没(?:有)?水(?:用|喝)|无水(?:可用)?|自来水(?:不通|中断)|水压(?:太|过)?低(?:得)?(?:用不了)?",
    ),
    _rule(URGENT, "停电", r"停电|断电|没(?:有)?电(?:用)?(?![梯脑话视动费])|供电中断|无电"),
    _rule(URGENT, "停气", r"停气|断气|没(?:有)?(?:燃气|天然气|煤气)(?:用)?|燃气中断"),
    _rule(
        URGENT,
        "停暖",
        r"停暖|没(?:有)?暖气|暖气不(?:热|暖)|供暖(?:中断|不足|不达标)|室温(?:只有|仅)?\s?\d{1,2}度",
    ),
    _rule(
        URGENT,
        "涉及老人",
        r"独居老人|孤寡老人|空巢老人|高龄老人|[八九]十(?:多|几)?岁|[89]\d(?:多)?岁|"
        r"(?:7\d|七十)(?:多|几)?岁(?:的)?(?:老人|老太|老大爷|奶奶|爷爷|母亲|父亲)|"
        r"老人(?:无人照顾|走失|摔倒)",
    ),
    _rule(
        URGENT,
        "涉及残疾人或重病人",
        r"残疾人|残疾|瘫痪|卧床不起|重病|病危|癌症|尿毒症|白血病|透析|精神病人|失能",
    ),
    _rule(
        URGENT,
        "涉及孕妇、婴幼儿或未成年人",
        r"孕妇|怀孕|婴儿|新生儿|婴幼儿|幼儿(?!园)|儿童(?:走失|被困)|留守儿童|未成年人(?:被|遭)",
    ),
    _rule(URGENT, "生活困难", r"生活(?:极其|非常|十分)?困难|吃不上饭|无家可归|露宿街头|走投无路"),
)


@dataclass(frozen=True)
class UrgencySuggestion:
    level: str = NORMAL
    reasons: tuple[str, ...] = ()
    evidence: tuple[str, ...] = field(default=())  # the words that triggered each reason

    @property
    def reason(self) -> str:
        """The reasons with the words that triggered them, unless the words are the reason."""
        return "；".join(
            r if e == r else f"{r}（“{e}”）"
            for r, e in zip(self.reasons, self.evidence, strict=True)
        )


def suggest_urgency(text: str) -> UrgencySuggestion:
    """The highest level of the rules that match `text` (normalised title + content)."""
    level = NORMAL
    reasons: list[str] = []
    evidence: list[str] = []
    for rule in RULES:
        m = rule.pattern.search(text)
        if not m:
            continue
        if rule.reason not in reasons:
            reasons.append(rule.reason)
            evidence.append(m.group())
        if _RANK[rule.level] > _RANK[level]:
            level = rule.level
    return UrgencySuggestion(level=level, reasons=tuple(reasons), evidence=tuple(evidence))
