"""What a cell of the 民心工程 sheet says (`projects` turns rows into projects): dates as
offices type them, units and regions by name, a project's kind, points, a target and a
milestone. Each parser raises `ValidationFailed` with the Chinese reason its row is refused for;
none writes."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from minxin.core.errors import ValidationFailed
from minxin.directory.models import Unit
from minxin.projects.forms import points_of, years_of
from minxin.projects.models import ProjectKind
from minxin.projects.services import PointDraft, TargetDraft, value_clean

from .mapping import directory_load, path_normalise

# The keys of the yearly parts' fields (`projects.fields_for` adds one for each year column).
YEAR_PREFIX: Final = "year_"
# The columns of a target: a row with any of them filled gives one.
TARGET_KEYS: Final = ("target_name", "target_value", "measure", "target_unit", "target_years")
KINDS: Final[Mapping[str, str]] = {
    **{label: value for value, label in ProjectKind.choices},
    **{value: value for value in ProjectKind.values},
    "旧改": ProjectKind.OLD_AREA,
    "电梯加装": ProjectKind.ELEVATOR,
    "养老服务设施": ProjectKind.ELDERLY,
    "老旧小区综合改造": ProjectKind.ESTATE,
    "体育场地开放": ProjectKind.SPORTS,
}
_LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


def date_parse(text: str, *, label: str, last: bool = False) -> date:
    """A date as offices type it: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301, or
    only a month (2026年6月) or a year, which means its first day, or its last when `last`."""
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?", value):
        value = value[:10]  # what the reader makes of a date cell
    value = re.sub(r"[年月./]", "-", value).replace("日", "").replace("号", "").strip("- ")
    found = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", value
    )
    if found:
        year = int(found[1])
        month = int(found[2]) if found[2] else (12 if last else 1)
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            days = calendar.monthrange(year, month)[1]
            day = int(found[3]) if found[3] else (days if last else 1)
            if 1 <= day <= days:
                return date(year, month, day)
    raise ValidationFailed(f"{label}“{text[:20]}”不是有效日期，请使用如 2026-03-31 的格式")


def names_split(text: str) -> list[str]:
    return [n for n in _LIST_SEPARATORS.split(text) if n]


@dataclass(frozen=True)
class Lookups:
    """The directory as the sheet names it: active units by full (or unambiguous short) name,
    regions by name or path."""

    units: Mapping[str, int]
    regions: Mapping[str, int]

    def unit_id(self, text: str, *, label: str) -> int:
        found = self.units.get(text.strip())
        if found is None:
            raise ValidationFailed(f"{label}“{text[:30]}”不是系统中的单位，请使用单位全称")
        return found


def lookups_load() -> Lookups:
    rows = list(Unit.objects.filter(is_active=True).values_list("pk", "name", "short_name"))
    shorts: dict[str, set[int]] = {}
    for pk, _, short in rows:
        if short:
            shorts.setdefault(short, set()).add(pk)
    units = {s: next(iter(pks)) for s, pks in shorts.items() if len(pks) == 1}
    units.update({name: pk for pk, name, _ in rows})
    return Lookups(units=units, regions=directory_load().regions)


def kind_parse(text: str) -> str:
    if not text:
        return ProjectKind.OTHER
    found = KINDS.get(text)
    if found is None:
        choices = "、".join(ProjectKind.labels)
        raise ValidationFailed(f"类别“{text[:20]}”无法识别（可用：{choices}）")
    return found


def lead_parse(text: str, lookups: Lookups) -> int:
    if not text:
        raise ValidationFailed("缺少牵头单位")
    return lookups.unit_id(text, label="牵头单位")


def units_parse(text: str, lookups: Lookups) -> list[int]:
    return [lookups.unit_id(n, label="配合单位") for n in names_split(text)]


def place_parse(text: str, lookups: Lookups) -> tuple[list[int], str]:
    """Names of regions link the project to them; any other place text stays readable in the
    project's summary rather than being refused or lost."""
    names = names_split(text)
    found = [lookups.regions.get(path_normalise(n)) for n in names]
    regions = sorted({pk for pk in found if pk is not None})
    return regions, (f"实施地点：{text}" if text and None in found else "")


def points_parse(text: str) -> tuple[PointDraft, ...]:
    try:
        return points_of(text)
    except ValidationFailed as refusal:
        if "格式有误" not in refusal.message:
            raise
        raise ValidationFailed(
            f"坐标“{text[:30]}”格式有误，应为“纬度, 经度 地点名称”，如：28.2153, 112.9212 景蓉小区"
        ) from None


def day_parse(text: str, *, label: str, last: bool = False) -> date:
    if not text:
        raise ValidationFailed(f"缺少{label}日期")
    return date_parse(text, label=label, last=last)


def target_parse(values: Mapping[str, str], lookups: Lookups) -> TargetDraft | None:
    columns = {
        int(k[len(YEAR_PREFIX) :]): v for k, v in values.items() if k.startswith(YEAR_PREFIX)
    }
    if not any(values.get(k) for k in TARGET_KEYS) and not any(columns.values()):
        return None
    name = " ".join(values.get("target_name", "").split())
    if not name:
        raise ValidationFailed("缺少指标名称")
    years = years_of(values.get("target_years", ""), name)
    for year, text in sorted(columns.items()):
        if not text:
            continue
        if year in years:
            raise ValidationFailed(f"指标「{name}」的{year}年目标填了两次")
        years[year] = value_clean(text, f"指标「{name}」{year}年的目标")
    value = value_clean(values.get("target_value", ""), f"指标「{name}」的目标值")
    if value <= 0:
        raise ValidationFailed(f"指标「{name}」的目标值应大于0")
    measure = values.get("measure", "")
    if not measure:
        raise ValidationFailed(f"指标「{name}」缺少计量单位（如 平方米、户、台、个）")
    unit_text = values.get("target_unit", "")
    unit_id = lookups.unit_id(unit_text, label="责任单位") if unit_text else None
    return TargetDraft(name=name, value=value, measure=measure, unit_id=unit_id, years=years)


def milestone_parse(values: Mapping[str, str]) -> tuple[str, date] | None:
    name = " ".join(values.get("milestone_name", "").split())
    due = values.get("milestone_end", "")
    if not name and not due:
        return None
    if not name:
        raise ValidationFailed("填写了节点计划完成日期，但缺少节点名称")
    if not due:
        raise ValidationFailed(f"节点「{name}」缺少计划完成日期")
    return name, date_parse(due, label=f"节点「{name}」的计划完成日期", last=True)
