"""Personal data, in one place: shown only as much as the viewer needs.

- Contact details (a name, a phone) masked for lists and pages: `mask_name`, `mask_phone`,
  `contact_masked` (what a page shows of an appellant or a proposer), `is_valid_phone`;
  `phone_normalise` (a number as an exchange gives it, in the form appeals store) and
  `phone_forms` (the ways one number may be stored).
- Personal data in free text, by two rules:
  - the staff rule (`find_personal_data`, `mask_personal_data`): phone numbers, valid ID-card
    numbers, plate numbers, e-mail addresses and names after a cue (我叫…, 姓…, …先生/女士);
    what staff pages, previews and the triage library mask;
  - the public rule (`find_personal_data(text, public=True)`, `mask_public_text`), stricter,
    for every text the public reads (the Open311 feed, the message board, public project
    pages, adopted suggestions): the staff rule, and any ID-shaped number whatever its check
    digit (17 digits and a digit or X, 15-digit old numbers, bank-card-long runs), landlines
    without a dash and local numbers after 电话/手机, house numbers (3栋2单元501室, 12号楼,
    桂花路12号: the digits), and names before an honorific with their given name (王建国先生,
    李女士, 刘阿姨, 张某某). Place names (张家界, 王府井, 李家村) are left alone.
  Spans are offsets into the text given, so a view can mask them; run it on the normalised
  text the view shows. Masking keeps the text's length.

Pure Python: the triage library uses it as well as the apps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

# --- contact details --------------------------------------------------------------------

_PHONE_RE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; landlines keep area code and last four."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[-4:]}"
    return (
        f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
        if len(phone) > 7
        else ("*" * (len(phone) - 4) + phone[-4:])
    )


def mask_name(name: str) -> str:
    """张三丰 → 张**; a nickname keeps its first character only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * min(len(name) - 1, 3) if len(name) > 1 else "*"


def is_valid_phone(phone: str) -> bool:
    """Mainland mobile (11 digits from 13x–19x) or landline with area code."""
    return bool(_PHONE_RE.match(phone))


_CALLER_JUNK_RE = re.compile(r"[\s\-().（）]")


def phone_normalise(raw: str) -> str:
    """A number as a telephone exchange presents it (+86 138 1234 5678, 008613812345678,
    013812345678, +86 731 84567890) in the form appeals store it: 13812345678, 073184567890.
    "" for what is no number (a withheld caller: anonymous, unknown, empty)."""
    number = _CALLER_JUNK_RE.sub("", raw or "")
    if not number or not number.lstrip("+").isdigit():
        return ""
    for country in ("+86", "0086"):
        if number.startswith(country):
            number = "0" + number[len(country) :]
            break
    number = number.lstrip("+")
    if number.startswith("01") and len(number) == 12 and number[2] in "3456789":
        return number[1:]  # a mobile dialled with the trunk 0 (also +86 1xx, made 01xx above)
    if len(number) == 13 and number.startswith("86") and number[2] == "1":
        return number[2:]  # 86 without the plus
    return number


def phone_forms(phone: str) -> list[str]:
    """The ways one number may be stored on an appeal (a landline with or without the dash
    after its area code: 010 and 02x have three digits, the rest four)."""
    phone = (phone or "").strip().replace(" ", "")
    if not phone:
        return []
    digits = phone.replace("-", "")
    if not digits.startswith("0") or not digits.isdigit():
        return [phone]
    area = 3 if digits[1] in "12" else 4
    return list(dict.fromkeys([phone, digits, f"{digits[:area]}-{digits[area:]}"]))


@dataclass(frozen=True)
class Contact:
    """A person as staff and public pages show them: name and phone masked."""

    name: str  # masked; "" when none was given
    phone: str  # masked; "" when none was given
    anonymous: bool  # asked not to be named (匿名反映)

    @property
    def label(self) -> str:
        return self.name or ("匿名" if self.anonymous else "未留姓名")


def contact_masked(*, name: str, phone: str, anonymous: bool = False) -> Contact:
    return Contact(name=mask_name(name), phone=mask_phone(phone), anonymous=anonymous)


# --- personal data in free text ---------------------------------------------------------

# Surnames: the ~150 most common single-character ones and the usual compound ones.
_SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚"
    "符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋"
    "商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND: Final = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
)
_SURNAME_RE: Final = "(?:" + "|".join(_COMPOUND) + "|[" + _SURNAMES + "])"
_GIVEN: Final = r"[\u4e00-\u9fa5]{1,2}"
# Words that follow a cue but are not names.
_NOT_NAMES: Final = frozenset(
    [
        "我们",
        "一名",
        "一个",
        "一位",
        "本人",
        "业主",
        "居民",
        "市民",
        "家长",
        "学生",
        "老师",
        "网友",
        "群众",
        "村民",
        "员工",
        "职工",
        "患者",
        "女儿",
        "儿子",
        "老人",
        "小区",
        "这里",
        "那里",
        "什么",
        "怎么",
        "不是",
        "没有",
        "因为",
        "所以",
        "已经",
        "现在",
        "目前",
        "今天",
        "以前",
        "方式",
    ]
)

PHONE_RE: Final = re.compile(
    r"(?<![\dA-Za-z])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![\dA-Za-z])"
)
LANDLINE_RE: Final = re.compile(r"(?<![\dA-Za-z])0\d{2,3}-\d{7,8}(?![\dA-Za-z])")
ID_CARD_RE: Final = re.compile(
    r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])|(?<![\dA-Za-z])\d{15}(?![\dA-Za-z])"
)
PLATE_RE: Final = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼西]"
    r"[A-HJ-NP-Z][·• ]?"
    r"(?:[A-HJ-NP-Z0-9]{5}[DF]?|[DF][A-HJ-NP-Z0-9]{5}|[A-HJ-NP-Z0-9]{4}[挂学警港澳])"
    r"(?![A-Za-z0-9])"
)
EMAIL_RE: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
NAME_CUE_RE: Final = re.compile(
    rf"(?:我叫|本人叫|名叫|我的名字是|姓名[:：是]?|联系人[:：]?|诉求人[:：]?|署名[:：]?)\s*(?P<a>{_SURNAME_RE}{_GIVEN})"
    rf"|(?:我姓|本人姓)(?P<b>{_SURNAME_RE})"
    rf"|(?P<c>{_SURNAME_RE})(?:先生|女士|小姐|师傅|阿姨)"
    # "请联系王建国。": only when the name ends there, so 联系物业 / 联系社区工作人员 stay.
    rf"|(?:请联系|联系|找|致电|打给)\s*(?P<d>{_SURNAME_RE}{_GIVEN})"
    r"(?=[\s，。,.;；!！?？、）)]|电话|手机|$)"
)

_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"


@dataclass(frozen=True)
class PersonalSpan:
    kind: str  # phone | id_card | plate | email | name | house (public rule only)
    start: int
    end: int
    text: str


def id_card_is_valid(number: str) -> bool:
    """GB 11643: 18 digits with a plausible birth date and the ISO 7064 MOD 11-2 check digit
    (15-digit numbers from before 1999: a plausible birth date only)."""
    number = number.upper()
    if len(number) == 18:
        if not number[:17].isdigit():
            return False
        birth = number[6:14]
        total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
        if _ID_CHECK[total % 11] != number[17]:
            return False
    elif len(number) == 15 and number.isdigit():
        birth = "19" + number[6:12]
    else:
        return False
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def find_personal_data(text: str, *, public: bool = False) -> list[PersonalSpan]:
    """All personal-data spans in `text` by the staff rule, or the stricter `public` one;
    sorted, without overlaps (the longer span wins)."""
    spans: list[PersonalSpan] = _public_spans(text) if public else []
    for m in ID_CARD_RE.finditer(text):
        if id_card_is_valid(m.group()):
            spans.append(PersonalSpan("id_card", m.start(), m.end(), m.group()))
    for kind, regex in (
        ("phone", PHONE_RE),
        ("phone", LANDLINE_RE),
        ("plate", PLATE_RE),
        ("email", EMAIL_RE),
    ):
        spans.extend(
            PersonalSpan(kind, m.start(), m.end(), m.group()) for m in regex.finditer(text)
        )
    for m in NAME_CUE_RE.finditer(text):
        for group in ("a", "b", "c", "d"):
            value = m.group(group)
            if value and value not in _NOT_NAMES and value[:2] not in _NOT_NAMES:
                spans.append(PersonalSpan("name", m.start(group), m.end(group), value))
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[PersonalSpan] = []
    for s in spans:
        if kept and s.start < kept[-1].end:
            continue
        kept.append(s)
    return kept


def mask_public_text(text: str) -> str:
    """The public rule: what any public page, feed or export shows of a free text."""
    text = text or ""
    return mask_personal_data(text, find_personal_data(text, public=True))


def mask_public_place(text: str) -> str:
    """The public rule for the name of a place where public works are done (a project's point
    on its public page): the same, except that a building's number is kept (景蓉小区3栋,
    12号楼2单元): a building or a stairwell is shared by many households and is where a lift
    goes in. A room, a floor or a house number (3栋501室, 桂花路12号) is still masked: it is
    someone's home."""
    text = text or ""
    spans = [
        s
        for s in find_personal_data(text, public=True)
        if not (s.kind == "house" and BUILDING_RE.fullmatch(s.text))
    ]
    return mask_personal_data(text, spans)


def mask_personal_data(text: str, spans: list[PersonalSpan] | None = None) -> str:
    """Replace each span (by default the staff rule's): names keep their first character,
    house numbers lose their digits, other numbers keep their first 3 and last 2."""
    spans = find_personal_data(text) if spans is None else spans
    out: list[str] = []
    pos = 0
    for s in sorted(spans, key=lambda s: s.start):
        out.append(text[pos : s.start])
        value = s.text
        if s.kind == "name":
            out.append(value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*")
        elif s.kind == "house":
            out.append("".join("*" if c.isdigit() else c for c in value))
        elif len(value) > 6:
            out.append(value[:3] + "*" * (len(value) - 5) + value[-2:])
        else:
            out.append("*" * len(value))
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


# --- the public rule's additions ----------------------------------------------------------

# Digit boundaries only (an ID after "ID" or "No" is still one); \d is any digit, full-width too.
ID_SHAPED_RE: Final = re.compile(
    r"(?<!\d)(?:\d{17}[\dXxＸｘ]|\d{15,19}|\d{6}[ -]\d{8}[ -]\d{3}[\dXxＸｘ]"
    r"|\d{4}(?:[ -]\d{4}){3,4})(?!\d)"
)
PUBLIC_PHONE_RE: Final = re.compile(
    r"(?<!\d)(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"
    r"|(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3})[- ]?\d{7,8}(?!\d)"
)
# A local number (no area code) only after a word that says it is one.
LOCAL_PHONE_RE: Final = re.compile(
    r"(?:电话|手机|座机|号码|联系方式|微信|tel|TEL|Tel)[号码是为:：\s]*(?P<n>\d[\d -]{5,}\d)(?!\d)"
)
# House numbers: a chain of numbered parts (3栋2单元501室, 12号楼, 桂花路12号, 5-1-302室); not
# a date (12月3号), a rank (第3号), a metro line or a document (3号线, 1号文).
_HOUSE_PART: Final = (
    r"(?:\d+(?:[-－—]\d+)*|[A-Za-z]\d*)\s?"
    r"(?:号楼|栋|幢|座|单元|层|楼|室|户|号(?![线门文令窗口机位码台站]))"
)
HOUSE_RE: Final = re.compile(
    rf"(?<![\d月第A-Za-z]){_HOUSE_PART}(?:\s?{_HOUSE_PART})*"
    r"(?:\s?\d+(?:[-－]\d+)?(?![\d年月日天]))?"
    r"|(?<!\d)\d{3,}\s?房"
)
# Only buildings and stairwells (3栋, 12号楼, 2-1幢, 3栋2单元): no room, floor or house number.
BUILDING_RE: Final = re.compile(r"(?:\s?(?:\d+(?:[-－—]\d+)*|[A-Za-z]\d*)\s?(?:号楼|栋|幢|单元))+")
_HOUSE_STRONG: Final = re.compile(r"号楼|栋|幢|单元|室|户|号|房")
_HONORIFIC: Final = (
    "先生|女士|小姐|师傅|阿姨|大爷|大妈|大娘|大姐|大哥|奶奶|爷爷|"
    "叔叔|婶婶|伯伯|阿婆|老师|同学|医生|律师|老板|经理"
)
HONORIFIC_NAME_RE: Final = re.compile(
    rf"(?P<n>{_SURNAME_RE}[\u4e00-\u9fa5]{{0,2}}?)(?:{_HONORIFIC})"
    rf"|(?P<m>{_SURNAME_RE})某+(?![些种个处地天日时])"
)
# Words before an honorific that are a role, not a name (门卫大爷, 施工师傅, 班主任老师).
_ROLE_WORDS: Final = frozenset(
    (
        *("门卫", "环卫", "施工", "主任", "班主", "感谢", "谢谢", "辛苦", "保洁", "保安", "物业"),
        *("社区", "居委", "小区", "楼下", "楼上", "隔壁", "邻居", "同事", "管理", "维修", "工作"),
        *("快递", "外卖", "热心", "一位", "这位", "那位", "各位", "几位", "两位", "多位", "路过"),
        *("老年", "年轻", "女性", "男性", "司机", "城管", "电工", "水工", "工人"),
    )
)


def _public_spans(text: str) -> list[PersonalSpan]:
    spans = [
        PersonalSpan("id_card", m.start(), m.end(), m.group()) for m in ID_SHAPED_RE.finditer(text)
    ]
    spans += [
        PersonalSpan("phone", m.start(), m.end(), m.group()) for m in PUBLIC_PHONE_RE.finditer(text)
    ]
    spans += [
        PersonalSpan("phone", m.start("n"), m.end("n"), m.group("n"))
        for m in LOCAL_PHONE_RE.finditer(text)
        if sum(c.isdigit() for c in m.group("n")) >= 7
    ]
    spans += [
        PersonalSpan("house", m.start(), m.end(), m.group())
        for m in HOUSE_RE.finditer(text)
        if _HOUSE_STRONG.search(m.group())
    ]
    for m in HONORIFIC_NAME_RE.finditer(text):
        group = "n" if m.group("n") else "m"
        start, end = m.start(group), m.end(group)
        before = text[max(0, end - 2) : end]
        if group == "n" and (before in _ROLE_WORDS or text[max(0, start - 1) : end] in _ROLE_WORDS):
            continue
        spans.append(PersonalSpan("name", start, end, m.group(group)))
    return spans
