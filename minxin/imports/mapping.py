"""Columns → appeal fields: the guess from header names, and one row turned into an appeal draft
(validated by the same `appeal_draft_clean` as every other channel) with its identity key."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.utils import timezone

from minxin.cases.models import AppealKind, Channel
from minxin.cases.services import AppealDraft, BulkAppeal, appeal_draft_clean
from minxin.core.errors import ValidationFailed
from minxin.core.posted import int_or_none


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool
    synonyms: tuple[str, ...]  # normalised header names, most specific first


FIELDS: Final = (
    Field(
        "title",
        "标题",
        True,
        ("诉求标题", "工单标题", "事项标题", "诉求主题", "标题", "主题", "title", "subject"),
    ),
    Field(
        "content",
        "诉求内容",
        True,
        (
            "诉求内容",
            "工单内容",
            "来电内容",
            "反映内容",
            "问题描述",
            "诉求描述",
            "详细内容",
            "内容",
            "描述",
            "content",
            "description",
            "body",
        ),
    ),
    Field(
        "external_id",
        "外部编号",
        False,
        (
            "外部编号",
            "工单编号",
            "原工单号",
            "工单号",
            "来源编号",
            "诉求编号",
            "事项编号",
            "受理编号",
            "编号",
            "单号",
            "externalid",
            "ticketid",
            "caseid",
            "id",
        ),
    ),
    Field(
        "received_at",
        "受理时间",
        False,
        (
            "来电时间",
            "受理时间",
            "登记时间",
            "提交时间",
            "诉求时间",
            "反映时间",
            "创建时间",
            "时间",
            "日期",
            "receivedat",
            "createdat",
            "time",
            "date",
        ),
    ),
    Field(
        "appellant_name",
        "诉求人",
        False,
        (
            "诉求人姓名",
            "来电人姓名",
            "诉求人",
            "来电人",
            "反映人",
            "市民姓名",
            "联系人",
            "姓名",
            "name",
            "appellant",
        ),
    ),
    Field(
        "appellant_phone",
        "联系电话",
        False,
        (
            "联系电话",
            "来电号码",
            "诉求人电话",
            "手机号码",
            "手机号",
            "联系方式",
            "电话",
            "手机",
            "phone",
            "mobile",
            "tel",
        ),
    ),
    Field(
        "place_text",
        "地点",
        False,
        (
            "发生地点",
            "事发地点",
            "问题地址",
            "详细地址",
            "地点",
            "地址",
            "place",
            "address",
            "location",
        ),
    ),
    Field(
        "region",
        "区域",
        False,
        ("所属区域", "所属街道", "行政区划", "区域", "街道", "社区", "region", "street", "area"),
    ),
    Field(
        "category",
        "分类",
        False,
        ("诉求分类", "业务分类", "事项分类", "问题分类", "分类", "类别", "category"),
    ),
    Field("kind", "诉求类型", False, ("诉求类型", "工单类型", "诉求性质", "类型", "kind", "type")),
)
FIELD_KEYS: Final = tuple(f.key for f in FIELDS)
REQUIRED: Final = tuple(f.key for f in FIELDS if f.required)
MASKED_FIELDS: Final = ("appellant_name", "appellant_phone")

KIND_WORDS: Final[Mapping[str, str]] = {
    **{label: value for value, label in AppealKind.choices},
    **{value: value for value in AppealKind.values},
    "意见": AppealKind.SUGGESTION,
    "意见建议": AppealKind.SUGGESTION,
    "感谢": AppealKind.PRAISE,
    "表扬感谢": AppealKind.PRAISE,
    "举报投诉": AppealKind.REPORT,
    "求决": AppealKind.HELP,
    "求助求决": AppealKind.HELP,
    "咨询求助": AppealKind.INQUIRY,
}

_HEADER_NOISE = re.compile(r"[\s_\-（）()\[\]【】:：*＊]")


def header_normalise(header: str) -> str:
    return _HEADER_NOISE.sub("", header).lower()


def mapping_guess(headers: Sequence[str], fields: Sequence[Field] = FIELDS) -> dict[str, int]:
    """Each field → the column whose name fits it best; a column serves one field at most.
    Exact names first (in field order), then names containing a synonym."""
    names = [header_normalise(h) for h in headers]
    guess: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for field in fields:
            if field.key in guess:
                continue
            for synonym in field.synonyms:
                found = next(
                    (
                        i
                        for i, name in enumerate(names)
                        if i not in used
                        and (name == synonym if exact else len(synonym) > 1 and synonym in name)
                    ),
                    None,
                )
                if found is not None:
                    guess[field.key] = found
                    used.add(found)
                    break
    return guess


def mapping_clean(
    raw: Mapping[str, str], *, column_count: int, fields: Sequence[Field] = FIELDS
) -> dict[str, int]:
    """The mapping form's values (column indexes as text, "" for none) → {field: index}."""
    mapping: dict[str, int] = {}
    for key in (f.key for f in fields):
        value = (raw.get(key) or "").strip()
        if not value:
            continue
        column = int_or_none(value)
        if column is None or column >= column_count:
            raise ValidationFailed("列对应有误，请重新选择")
        mapping[key] = column
    labels = {f.key: f.label for f in fields}
    for key in (f.key for f in fields if f.required):
        if key not in mapping:
            raise ValidationFailed(f"请为“{labels[key]}”选择对应的列")
    seen: dict[int, str] = {}
    for key, index in mapping.items():
        if index in seen:
            raise ValidationFailed(f"同一列不能同时对应“{labels[seen[index]]}”和“{labels[key]}”")
        seen[index] = key
    return mapping


# --- directory lookups ------------------------------------------------------------------------

_PATH_SEPARATORS = re.compile(r"\s*[/／>＞\\|-]\s*")


def path_normalise(text: str) -> str:
    return _PATH_SEPARATORS.sub("/", text.strip()).strip("/")


@dataclass(frozen=True)
class Directory:
    """Names and paths of categories and regions, loaded once per run; a name that two
    entries share is not used (the dispatcher decides)."""

    categories: Mapping[str, int]
    regions: Mapping[str, int]

    def category_id(self, text: str) -> int | None:
        return self.categories.get(path_normalise(text)) if text else None

    def region_id(self, text: str) -> int | None:
        return self.regions.get(path_normalise(text)) if text else None


def _unique(pairs: list[tuple[str, int]]) -> dict[str, int]:
    found: dict[str, int] = {}
    clashes: set[str] = set()
    for key, pk in pairs:
        if key in found and found[key] != pk:
            clashes.add(key)
        found.setdefault(key, pk)
    return {k: v for k, v in found.items() if k not in clashes}


def directory_load() -> Directory:
    from minxin.directory.models import Category, Region

    categories = list(
        Category.objects.filter(is_active=True).values_list("pk", "name", "path_name")
    )
    category_keys = [(path_normalise(path), pk) for pk, _, path in categories]
    # A path's tails ("城市建设和市政管理/环境卫生") and bare names, where unambiguous.
    tails = [
        ("/".join(path_normalise(path).split("/")[i:]), pk)
        for pk, _, path in categories
        for i in range(1, path_normalise(path).count("/") + 1)
    ]
    rows = list(Region.objects.values_list("pk", "name", "parent_id"))
    by_pk = {pk: (name, parent) for pk, name, parent in rows}

    def names_of(pk: int) -> list[str]:
        names: list[str] = []
        current: int | None = pk
        while current is not None and current in by_pk and len(names) < 10:
            name, current = by_pk[current]
            names.insert(0, name)
        return names

    region_keys = []
    for pk in by_pk:
        names = names_of(pk)
        region_keys += [("/".join(names[i:]), pk) for i in range(len(names))]
    exact = dict(category_keys)
    return Directory(
        categories={**_unique(tails), **exact},
        regions=_unique(region_keys),
    )


# --- one row ----------------------------------------------------------------------------------

_DATE_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
)
EARLIEST: Final = datetime(2000, 1, 1)  # noqa: DTZ001 — compared with naive parsed values


def received_at_parse(text: str, *, now: datetime) -> datetime:
    value = text.strip()
    try:  # the common case first: ISO as written by most exports and by our xlsx reader
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed = timezone.make_naive(parsed)
        return _checked(parsed, now=now)
    except ValueError:
        pass
    for a, b in (
        ("年", "-"),
        ("月", "-"),
        ("日", " "),
        ("/", "-"),
        ("T", " "),
        ("时", ":"),
        ("分", ""),
    ):
        value = value.replace(a, b)
    value = " ".join(value.split())
    value = re.sub(r"(\d{2}:\d{2}:\d{2})\.\d+$", r"\1", value)
    for fmt in _DATE_FORMATS:
        try:
            found = datetime.strptime(value, fmt)  # noqa: DTZ007 — made aware in _checked
        except ValueError:
            continue
        return _checked(found, now=now)
    raise ValidationFailed(f"受理时间“{text[:30]}”无法识别，请使用如 2024-05-01 09:30 的格式")


def _checked(parsed: datetime, *, now: datetime) -> datetime:
    if parsed < EARLIEST:
        raise ValidationFailed("受理时间早于2000年，请核对")
    aware = timezone.make_aware(parsed)
    if aware > now + timedelta(minutes=5):
        raise ValidationFailed("受理时间晚于当前时间，请核对")
    return aware


def phone_normalise(text: str) -> str:
    phone = re.sub(r"[\s()（）]", "", text)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    return phone


@dataclass(frozen=True)
class RowRules:
    """What a run knows for every row: the mapping, the source and the directory."""

    mapping: Mapping[str, int]
    source_system: str
    default_kind: str
    directory: Directory
    now: datetime


def row_values(cells: Sequence[str], mapping: Mapping[str, int]) -> dict[str, str]:
    return {key: cells[i] if i < len(cells) else "" for key, i in mapping.items()}


def row_key(values: Mapping[str, str], *, source_system: str) -> str:
    """The row's identity: source + external id when there is one, else all its mapped values
    (in field order, so the same data mapped from reordered columns is the same row). A sha256
    hex digest is exactly the 64 characters `submission_key` holds."""
    external = values.get("external_id", "").strip()
    if external:
        basis = ["import", source_system, "id", external]
    else:
        basis = ["import", source_system, "row", *(values.get(k, "") for k in FIELD_KEYS)]
    return hashlib.sha256("\x1f".join(basis).encode()).hexdigest()


def row_to_appeal(cells: Sequence[str], rules: RowRules) -> BulkAppeal:
    """One row → a cleaned draft with its key; ValidationFailed (the reason) when it cannot
    be imported."""
    values = row_values(cells, rules.mapping)
    kind = rules.default_kind
    kind_text = values.get("kind", "").strip()
    if kind_text:
        found = KIND_WORDS.get(kind_text) or KIND_WORDS.get(kind_text.lower())
        if found is None:
            raise ValidationFailed(
                f"诉求类型“{kind_text[:20]}”无法识别（可用：投诉、求助、咨询、建议、举报、表扬）"
            )
        kind = found
    received_at = None
    if values.get("received_at", "").strip():
        received_at = received_at_parse(values["received_at"], now=rules.now)
    phone = phone_normalise(values.get("appellant_phone", ""))
    draft = appeal_draft_clean(
        AppealDraft(
            channel=Channel.IMPORT,
            kind=kind,
            title=values.get("title", ""),
            content=values.get("content", ""),
            place_text=values.get("place_text", ""),
            region_id=rules.directory.region_id(values.get("region", "")),
            category_id=rules.directory.category_id(values.get("category", "")),
            appellant_name=values.get("appellant_name", ""),
            appellant_phone=phone,
            # Another platform's record without a phone cannot be called back: kept as
            # anonymous rather than refused.
            is_anonymous=not phone,
        )
    )
    return BulkAppeal(
        draft=draft,
        submission_key=row_key(values, source_system=rules.source_system),
        received_at=received_at,
    )
