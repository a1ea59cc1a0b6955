"""Validity: empty, meaningless, abusive or advertising text is *suggested* invalid, with the
reason; nothing is dropped, a dispatcher decides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .normalize import is_cjk

MIN_LETTERS: Final = 4
ABUSE_RE: Final = re.compile(
    r"操你|草你|艹你|日你|干你娘|你妈的?逼|他妈的|尼玛|泥马|傻[逼比屄叉]|煞笔|沙比|[sS][bB](?![a-zA-Z])|"
    r"狗日|狗东西|王八蛋|混蛋|贱人|去死|死全家|滚蛋|脑残|废物|垃圾政府|狗官"
)
AD_RE: Final = re.compile(
    r"加(?:我)?(?:微信|薇信|威信|vx|VX|V信|QQ|qq|扣扣)|(?:微信|vx|VX|QQ|qq)号?[:：]?\s?[A-Za-z0-9_-]{5,}|"
    r"代开(?:各类)?发票|发票代开|无抵押贷款|低息贷款|快速放款|网贷秒批|刷单|兼职日赚|日赚\d|日结工资|"
    r"优惠(?:促销|活动)|限时(?:特价|抢购)|全场\d折|咨询热线|欢迎(?:来电|选购|咨询)|点击(?:链接|下方)|"
    r"https?://|www\.|代办(?:证件|文凭|学历)|办证|六合彩|赌场|博彩|棋牌(?:平台|游戏)|招商加盟|一手货源"
)
FILLER_RE: Final = re.compile(
    r"^(?:测试|test|TEST|你好|您好|hello|hi|在吗|啊|哈|嗯|呵|。|\.|,|，|!|！|\?|？|\s)*$"
)


@dataclass(frozen=True)
class ValiditySuggestion:
    valid: bool = True
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # kept valid, but the dispatcher should look (e.g. abuse)

    @property
    def reason(self) -> str:
        return "；".join(self.reasons or self.warnings)


def _letters(text: str) -> str:
    return "".join(ch for ch in text if is_cjk(ch) or ch.isalnum())


def suggest_validity(title: str, content: str) -> ValiditySuggestion:
    """`title` and `content` are normalised texts."""
    text = f"{title} {content}".strip()
    letters = _letters(text)
    if len(letters) < MIN_LETTERS:
        return ValiditySuggestion(False, ("内容为空或过短",))
    if FILLER_RE.match(text):
        return ValiditySuggestion(False, ("无实际内容（测试或寒暄）",))
    cjk = sum(1 for ch in letters if is_cjk(ch))
    reasons = [r for r in (_meaningless(letters, cjk), _advertising(text, cjk)) if r]
    warnings: list[str] = []
    abuse = ABUSE_RE.findall(text)
    if abuse:
        rest = ABUSE_RE.sub("", text)
        if sum(1 for ch in rest if is_cjk(ch)) < 15:
            reasons.append("辱骂内容，没有具体诉求")
        else:
            warnings.append("含不文明用语：" + "、".join(sorted(set(abuse))[:3]))
    return ValiditySuggestion(not reasons, tuple(reasons), tuple(warnings))


def _meaningless(letters: str, cjk: int) -> str:
    """Why the letters say nothing: the same few characters again and again, a string that is
    no word, or no Chinese at all in a short text; "" when they may mean something."""
    distinct = len(set(letters))
    if len(letters) >= 8 and (
        distinct < 12 if len(letters) > 60 else distinct / len(letters) < 0.2
    ):
        return "内容无意义（大量重复字符）"
    if cjk == 0 and len(letters) >= 8 and not re.search(r"[aeiouAEIOU]{1}", letters):
        return "内容无意义（无法识别的字符串）"
    if cjk == 0 and len(letters) < 30:
        return "内容无意义（没有中文描述）"
    return ""


def _advertising(text: str, cjk: int) -> str:
    ads = {m.group() for m in AD_RE.finditer(text)}
    if len(ads) >= 2 or (ads and cjk < 60):
        return "疑似广告：" + "、".join(sorted(ads)[:3])
    return ""
