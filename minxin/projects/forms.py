"""What the projects' forms post, parsed into the services' drafts. Every problem becomes a
ValidationFailed with a Chinese message; the view shows it with what was typed."""

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from django.http import QueryDict
from django.utils import timezone

from minxin.core.errors import ValidationFailed
from minxin.core.posted import date_or_none, datetime_or_none, int_or_none
from minxin.deadlines.calendar import working_day_end

from .services import (
    POINTS_MAX,
    MilestoneDraft,
    PointDraft,
    ProjectDraft,
    TargetDraft,
    value_clean,
)

TARGET_ROWS: Final = 6
MILESTONE_ROWS: Final = 8
MAX_DUE_AHEAD: Final = timedelta(days=366)


def date_of(raw: object, label: str) -> date:
    text = str(raw or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{label}")
    day = date_or_none(text)
    if day is None:
        raise ValidationFailed(f"{label}格式有误，请选择日期")
    return day


def id_of(raw: object, label: str) -> int:
    number = int_or_none(str(raw or ""))
    if number is None:
        raise ValidationFailed(f"请选择{label}")
    return number


def ids_of(values: list[str]) -> tuple[int, ...]:
    return tuple(sorted({n for v in values if (n := int_or_none(v)) is not None}))


def optional_decimal(raw: object, label: str) -> Decimal | None:
    return value_clean(raw, label) if str(raw or "").strip() else None


# A multi-year target's parts as offices write them: "2026:4；2027:8" (or 2026年4, 2026：4).
YEAR_PART: Final = re.compile(r"(\d{4})\s*年?\s*[:：]?\s*(-?[0-9.]+)")
YEAR_SEPARATORS: Final = " \t;；,，、"


def years_of(raw: object, name: str) -> dict[int, Decimal]:
    """A target's yearly parts out of what was typed, or the reason it cannot be read."""
    text = str(raw or "").strip()
    if not text:
        return {}
    if YEAR_PART.sub("", text).strip(YEAR_SEPARATORS):
        raise ValidationFailed(f"指标「{name}」的年度分解格式有误，应如：2026:100；2027:200")
    years: dict[int, Decimal] = {}
    for year, value in YEAR_PART.findall(text):
        if int(year) in years:
            raise ValidationFailed(f"指标「{name}」的{year}年目标填了两次")
        years[int(year)] = value_clean(value, f"指标「{name}」{year}年的目标")
    return years


# A project's points, one a line: "28.2153, 112.9212 景蓉小区" (a comma, 、 or spaces between
# the degrees; the place's name after them, optional).
POINT_LINE: Final = re.compile(
    r"(-?\d+(?:\.\d+)?)\s*(?:[,，、]\s*|\s+)(-?\d+(?:\.\d+)?)(?:\s*[,，、]?\s*(.*))?"
)


def points_of(raw: object) -> tuple[PointDraft, ...]:
    """The points typed in the form's box, or the line that cannot be read."""
    points = []
    lines = [line.strip() for line in str(raw or "").splitlines()]
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        found = POINT_LINE.fullmatch(line)
        if found is None:
            raise ValidationFailed(
                f"位置第{number}行格式有误，应为“纬度, 经度 地点名称”，"
                "如：28.2153, 112.9212 景蓉小区"
            )
        points.append(PointDraft(found[1], found[2], (found[3] or "").strip()))
    if len(points) > POINTS_MAX:
        raise ValidationFailed(f"位置最多{POINTS_MAX}个")
    return tuple(points)


def _targets(post: Mapping[str, Any]) -> tuple[TargetDraft, ...]:
    targets = []
    for i in range(TARGET_ROWS):
        name = str(post.get(f"target_name_{i}", "")).strip()
        value = str(post.get(f"target_value_{i}", "")).strip()
        if not name and not value:
            continue
        if not name:
            raise ValidationFailed(f"第{i + 1}项指标缺少名称")
        unit = str(post.get(f"target_unit_{i}", "")).strip()
        targets.append(
            TargetDraft(
                name=name,
                value=value_clean(value, f"指标「{name}」的目标值"),
                measure=str(post.get(f"target_measure_{i}", "")),
                unit_id=int_or_none(unit),
                years=years_of(post.get(f"target_years_{i}"), name),
            )
        )
    return tuple(targets)


def _milestones(post: Mapping[str, Any]) -> tuple[MilestoneDraft, ...]:
    milestones = []
    for i in range(MILESTONE_ROWS):
        name = str(post.get(f"milestone_name_{i}", "")).strip()
        if not name:
            continue
        days = int_or_none(str(post.get(f"milestone_days_{i}", "")))
        if days is None:
            raise ValidationFailed(f"节点「{name}」的工期应为天数")
        unit = str(post.get(f"milestone_unit_{i}", "")).strip()
        milestones.append(
            MilestoneDraft(
                name=name,
                duration_days=days,
                task=str(post.get(f"milestone_task_{i}", "")),
                unit_id=int_or_none(unit),
            )
        )
    return tuple(milestones)


def rows_posted(
    post: Mapping[str, Any], prefix: str, fields: tuple[str, ...], n: int
) -> list[dict[str, Any]]:
    """The form's numbered rows with what was typed in them (a refused form keeps its rows)."""
    return [
        {"i": i, **{f: str(post.get(f"{prefix}_{f}_{i}", "")) for f in fields}} for i in range(n)
    ]


def project_draft(post: QueryDict) -> ProjectDraft:
    return ProjectDraft(
        programme_id=id_of(post.get("programme"), "所属计划"),
        name=post.get("name", ""),
        kind=post.get("kind", ""),
        lead_unit_id=id_of(post.get("lead_unit"), "牵头单位"),
        start_date=date_of(post.get("start_date"), "计划开工日期"),
        end_date=date_of(post.get("end_date"), "计划完成日期"),
        summary=post.get("summary", ""),
        assisting_unit_ids=ids_of(post.getlist("assisting_units")),
        region_ids=ids_of(post.getlist("regions")),
        budget=optional_decimal(post.get("budget"), "预算"),
        points=points_of(post.get("points")),
        is_public=post.get("is_public") == "on",
        targets=_targets(post),
        milestones=_milestones(post),
    )


def due_of(raw: object) -> datetime:
    """A reply's due time: a datetime-local value, or a day (the end of its working hours)."""
    text = str(raw or "").strip()
    due = datetime_or_none(text) if "T" in text else None
    if due is None:
        due = working_day_end(date_of(text, "答复期限"))
    if due > timezone.now() + MAX_DUE_AHEAD:
        raise ValidationFailed("答复期限不能晚于一年以后，请核对年份")
    return due
