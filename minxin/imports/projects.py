"""The office's 民心工程 list imported into a programme: one sheet, one row per target, the
project's columns repeated (or left blank, as merged cells read) on its other rows, and a
milestone (节点名称 / 节点计划完成) on any row.

Rows group into projects by name (a row without a name continues the project above it). A
project is imported whole or not at all: one bad row refuses its project, and every row of it
says why. Each project goes through `projects.services.project_create_within` (so the machine
writes its events), in its own transaction with the job's counts; a project already in the
programme under the same name is left alone, so running the same file twice adds nothing.

Lives in `imports` (a layer above `projects`) to share the job machinery: upload, mapping,
dry run and run in the background, progress, rejections.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final, TypeVar

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.privacy import mask_personal_data
from minxin.core.sheets import row_safe
from minxin.directory.models import Unit
from minxin.projects.forms import points_of, years_of
from minxin.projects.models import Programme, Project, ProjectKind
from minxin.projects.schedule import dated_plan
from minxin.projects.services import (
    MilestoneDraft,
    PointDraft,
    ProjectDraft,
    TargetDraft,
    project_create_within,
    project_draft_clean,
    value_clean,
)

from . import reading
from .mapping import Field, directory_load, header_normalise, path_normalise
from .models import ImportJob, ImportRejection, ImportStatus

FIELDS: Final = (
    Field("name", "项目名称", True, ("项目名称", "工程名称", "实事项目", "项目", "name")),
    Field("kind", "类别", False, ("项目类别", "项目类型", "类别", "类型", "kind")),
    Field("lead_unit", "牵头单位", True, ("牵头单位", "牵头部门", "主责单位", "责任主体")),
    Field("assisting_units", "配合单位", False, ("配合单位", "配合部门", "协办单位")),
    Field("place", "地点/街道", False, ("地点街道", "实施地点", "所在街道", "地点", "街道")),
    Field("start_date", "计划开工", True, ("计划开工时间", "计划开工日期", "计划开工", "开工时间")),
    # Before 计划完成: a header "节点计划完成" contains it.
    Field(
        "milestone_end",
        "节点计划完成",
        False,
        ("节点计划完成时间", "节点计划完成日期", "节点计划完成", "节点完成时间", "节点时间"),
    ),
    Field("end_date", "计划完成", True, ("计划完成时间", "计划完成日期", "计划完成", "完成时间")),
    Field("budget", "预算（万元）", False, ("预算万元", "预算", "总投资万元", "总投资")),
    Field("summary", "项目内容", False, ("建设内容", "项目内容", "主要内容")),
    Field("target_name", "指标名称", False, ("指标名称", "目标名称", "指标")),
    Field("target_value", "目标值", False, ("目标值", "目标数量", "目标任务")),
    Field("measure", "计量单位", False, ("计量单位", "单位")),
    Field("target_unit", "责任单位", False, ("指标责任单位", "责任单位")),
    Field("milestone_name", "节点名称", False, ("节点名称", "节点", "里程碑")),
    # The project's points on the map, on any of its rows (several lines in a cell, or a
    # point a row): "28.2153, 112.9212 景蓉小区", as the new-project form takes them.
    Field("points", "坐标", False, ("坐标", "经纬度", "位置坐标", "点位")),
    # A multi-year target's parts in one cell, as typed on the new-project form: 2026:4；2027:8.
    Field("target_years", "年度分解", False, ("年度分解", "分年度目标", "年度目标", "分年目标")),
)
LABELS: Final = {f.key: f.label for f in FIELDS}
# Or one column per year (2026年目标, 2027年度任务, 2028年): `fields_for` adds a field for each.
YEAR_HEADER: Final = re.compile(r"(20\d{2})(?:年度?)?(?:目标|任务|计划)?(?:值|数|量)?")
YEAR_PREFIX: Final = "year_"
PROJECT_KEYS: Final = (
    "kind",
    "lead_unit",
    "assisting_units",
    "place",
    "start_date",
    "end_date",
    "budget",
    "summary",
)
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
T = TypeVar("T")
_LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


def fields_for(headers: Sequence[str]) -> tuple[Field, ...]:
    """The sheet's fields: the fixed ones and a yearly part's for each column headed by a year
    (its header is its one synonym, so the mapping guesses it and the office may change it)."""
    years: dict[int, Field] = {}
    for header in headers:
        name = header_normalise(header)
        found = YEAR_HEADER.fullmatch(name)
        if found and int(found[1]) not in years:
            year = int(found[1])
            years[year] = Field(f"{YEAR_PREFIX}{year}", f"{year}年目标", False, (name,))
    return FIELDS + tuple(years[y] for y in sorted(years))


# --- cells ------------------------------------------------------------------------------


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


# --- rows into projects -------------------------------------------------------------------


@dataclass
class _Group:
    name: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    refusals: dict[int, str] = field(default_factory=dict)
    # Each project column's first non-blank value and its row (a sheet of 200,000 rows under
    # one name stays linear).
    firsts: dict[str, tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Planned:
    """A project as the sheet gives it: its draft, or why each of its rows is refused."""

    name: str
    rows: tuple[int, ...]
    draft: ProjectDraft | None
    refusals: Mapping[int, str]

    @property
    def targets(self) -> int:
        return len(self.draft.targets) if self.draft else 0

    @property
    def milestones(self) -> int:
        return len(self.draft.milestones) if self.draft else 0


def _values(cells: Sequence[str], mapping: Mapping[str, int]) -> dict[str, str]:
    return {k: (cells[i].strip() if i < len(cells) else "") for k, i in mapping.items()}


def _groups(rows: Iterable[tuple[int, list[str]]], mapping: Mapping[str, int]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    current: _Group | None = None
    orphans = _Group("")
    for number, cells in rows:
        values = _values(cells, mapping)
        name = " ".join(values.get("name", "").split())
        if name:
            current = groups.setdefault(name, _Group(name))
        elif current is None:
            orphans.rows.append((number, values))
            orphans.refusals[number] = "缺少项目名称"
            continue
        group = current
        for key in PROJECT_KEYS:  # a project's own columns must agree on all its rows
            value = values.get(key, "")
            if not value:
                continue
            first, _ = group.firsts.setdefault(key, (value, number))
            if value != first:
                group.refusals.setdefault(
                    number, f"{LABELS[key]}“{value[:20]}”与本项目前面的行（“{first[:20]}”）不一致"
                )
        group.rows.append((number, values))
    return ([orphans] if orphans.rows else []) + list(groups.values())


def _first(group: _Group, key: str) -> tuple[str, int]:
    """A project column's value and the row it is on (the first row when it is blank)."""
    return group.firsts.get(key, ("", group.rows[0][0]))


@dataclass(frozen=True)
class _Columns:
    """The project's own columns parsed; None where one is refused (the reason on its row)."""

    kind: str | None
    lead: int | None
    assisting: list[int] | None
    place: tuple[list[int], str] | None
    start: date | None
    end: date | None
    budget: Decimal | None


@dataclass
class _Parts:
    """What the project's rows add up to: its targets, milestones and points."""

    targets: list[TargetDraft] = field(default_factory=list)
    target_names: set[str] = field(default_factory=set)
    # Each milestone's planned end and the row it is first on.
    milestones: dict[str, tuple[date, int]] = field(default_factory=dict)
    points: dict[tuple[str, str, str], PointDraft] = field(default_factory=dict)


def _draft(group: _Group, *, programme_id: int, lookups: Lookups) -> ProjectDraft | None:
    """The group's draft; None with `group.refusals` filled when a row is wrong."""
    columns = _columns(group, lookups)
    parts = _Parts()
    for number, values in group.rows:
        try:
            _row_add(parts, values, number=number, columns=columns, lookups=lookups)
        except ValidationFailed as refusal:
            group.refusals.setdefault(number, refusal.message)
    if group.refusals:
        return None
    kind, lead, assisting = columns.kind, columns.lead, columns.assisting
    place, start, end = columns.place, columns.start, columns.end
    if not (kind and lead and place and start and end and assisting is not None):
        group.refusals[group.rows[0][0]] = "该项目的信息不完整"  # each missing one is refused above
        return None
    regions, place_note = place
    summary = "\n".join(x for x in (_first(group, "summary")[0], place_note) if x)
    return ProjectDraft(
        programme_id=programme_id,
        name=group.name,
        kind=kind,
        lead_unit_id=lead,
        start_date=start,
        end_date=end,
        summary=summary,
        assisting_unit_ids=tuple(assisting),
        region_ids=tuple(regions),
        points=tuple(parts.points.values()),
        budget=columns.budget,
        targets=tuple(parts.targets),
        milestones=tuple(_steps(start, parts.milestones)),
    )


def _columns(group: _Group, lookups: Lookups) -> _Columns:
    """Each project column parsed once, from the row it is first filled on."""
    columns = _Columns(
        kind=_field(group, "kind", _kind),
        lead=_field(group, "lead_unit", lambda t: _lead(t, lookups)),
        assisting=_field(group, "assisting_units", lambda t: _units(t, lookups)),
        place=_field(group, "place", lambda t: _place(t, lookups)),
        start=_field(group, "start_date", lambda t: _day(t, label="计划开工")),
        end=_field(group, "end_date", lambda t: _day(t, label="计划完成", last=True)),
        budget=_field(group, "budget", lambda t: value_clean(t, "预算（万元）") if t else None),
    )
    if columns.start and columns.end and columns.end < columns.start:
        group.refusals.setdefault(_first(group, "end_date")[1], "计划完成日期早于计划开工日期")
    return columns


def _row_add(
    parts: _Parts, values: Mapping[str, str], *, number: int, columns: _Columns, lookups: Lookups
) -> None:
    """A row's points, target and milestone added to the project's; the first fault refuses
    the row."""
    for point in _points(values.get("points", "")):
        # A point repeated on rows counts once.
        parts.points.setdefault((str(point.latitude), str(point.longitude), point.name), point)
    target = _target(values, lookups)
    if target is not None:
        if target.name in parts.target_names:
            raise ValidationFailed(f"指标「{target.name}」在本项目中重复")
        parts.target_names.add(target.name)
        parts.targets.append(target)
    milestone = _milestone(values)
    if milestone is not None:
        _milestone_add(parts.milestones, milestone, number=number, columns=columns)


def _milestone_add(
    milestones: dict[str, tuple[date, int]],
    milestone: tuple[str, date],
    *,
    number: int,
    columns: _Columns,
) -> None:
    """A milestone may repeat on rows with the same date, and must lie within the project's
    dates (when they parsed)."""
    name, due = milestone
    if name in milestones and milestones[name][0] != due:
        raise ValidationFailed(f"节点「{name}」在第{milestones[name][1]}行的计划完成日期不同")
    end, start = columns.end, columns.start
    if isinstance(end, date) and due > end:
        raise ValidationFailed(
            f"节点「{name}」的计划完成日期{due:%Y-%m-%d}晚于项目计划完成日期{end:%Y-%m-%d}"
        )
    if isinstance(start, date) and due < start:
        raise ValidationFailed(
            f"节点「{name}」的计划完成日期{due:%Y-%m-%d}早于项目计划开工日期{start:%Y-%m-%d}"
        )
    milestones.setdefault(name, (due, number))


def _steps(start: date, milestones: Mapping[str, tuple[date, int]]) -> list[MilestoneDraft]:
    """The milestones in the order of their dates (then rows), their durations laid from the
    project's start (the sheet gives ends only)."""
    ordered = sorted(milestones.items(), key=lambda item: (item[1][0], item[1][1]))
    plan = dated_plan(start, [due for _, (due, _) in ordered])
    return [
        MilestoneDraft(name=name, duration_days=(last - first).days + 1, planned_end=due)
        for (name, (due, _)), (first, last) in zip(ordered, plan, strict=True)
    ]


def _field(group: _Group, key: str, parse: Callable[[str], T]) -> T | None:
    """A project column parsed, or None with the reason on the row it is on."""
    text, number = _first(group, key)
    try:
        return parse(text)
    except ValidationFailed as refusal:
        group.refusals.setdefault(number, refusal.message)
        return None


def _kind(text: str) -> str:
    if not text:
        return ProjectKind.OTHER
    found = KINDS.get(text)
    if found is None:
        choices = "、".join(ProjectKind.labels)
        raise ValidationFailed(f"类别“{text[:20]}”无法识别（可用：{choices}）")
    return found


def _lead(text: str, lookups: Lookups) -> int:
    if not text:
        raise ValidationFailed("缺少牵头单位")
    return lookups.unit_id(text, label="牵头单位")


def _units(text: str, lookups: Lookups) -> list[int]:
    return [lookups.unit_id(n, label="配合单位") for n in names_split(text)]


def _place(text: str, lookups: Lookups) -> tuple[list[int], str]:
    """Names of regions link the project to them; any other place text stays readable in the
    project's summary rather than being refused or lost."""
    names = names_split(text)
    found = [lookups.regions.get(path_normalise(n)) for n in names]
    regions = sorted({pk for pk in found if pk is not None})
    return regions, (f"实施地点：{text}" if text and None in found else "")


def _points(text: str) -> tuple[PointDraft, ...]:
    try:
        return points_of(text)
    except ValidationFailed as refusal:
        if "格式有误" not in refusal.message:
            raise
        raise ValidationFailed(
            f"坐标“{text[:30]}”格式有误，应为“纬度, 经度 地点名称”，如：28.2153, 112.9212 景蓉小区"
        ) from None


def _day(text: str, *, label: str, last: bool = False) -> date:
    if not text:
        raise ValidationFailed(f"缺少{label}日期")
    return date_parse(text, label=label, last=last)


def _target(values: Mapping[str, str], lookups: Lookups) -> TargetDraft | None:
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


def _milestone(values: Mapping[str, str]) -> tuple[str, date] | None:
    name = " ".join(values.get("milestone_name", "").split())
    due = values.get("milestone_end", "")
    if not name and not due:
        return None
    if not name:
        raise ValidationFailed("填写了节点计划完成日期，但缺少节点名称")
    if not due:
        raise ValidationFailed(f"节点「{name}」缺少计划完成日期")
    return name, date_parse(due, label=f"节点「{name}」的计划完成日期", last=True)


def projects_plan(
    rows: Iterable[tuple[int, list[str]]],
    *,
    mapping: Mapping[str, int],
    programme_id: int,
    lookups: Lookups,
) -> list[Planned]:
    """Every project of the sheet, in the order of its first row, judged; writes nothing."""
    planned = []
    for group in _groups(rows, mapping):
        draft = _draft(group, programme_id=programme_id, lookups=lookups) if group.name else None
        if draft is not None:
            try:
                draft = project_draft_clean(draft)
            except ValidationFailed as refusal:
                group.refusals[group.rows[0][0]] = f"项目「{group.name[:30]}」：{refusal.message}"
                draft = None
        planned.append(_judged(group, draft))
    return planned


def _judged(group: _Group, draft: ProjectDraft | None) -> Planned:
    numbers = tuple(n for n, _ in group.rows)
    refusals = dict(group.refusals)
    if draft is None and group.name:
        first = min(refusals)
        for number in numbers:
            refusals.setdefault(
                number, f"同一项目的第{first}行有误（{refusals[first][:60]}），整个项目未导入"
            )
    return Planned(name=group.name, rows=numbers, draft=draft, refusals=refusals)


# --- the dry run and the run ------------------------------------------------------------------


def _rows(job: ImportJob) -> Iterator[tuple[int, list[str]]]:
    with job.file.open("rb") as handle:
        table = reading.table_open(
            handle=handle, file_format=job.file_format, encoding=job.encoding
        )
        yield from table.rows()


def _plan(job: ImportJob) -> tuple[int, list[Planned]]:
    if job.programme_id is None:
        raise ValidationFailed("请选择要导入的计划")
    rows = list(_rows(job))
    return len(rows), projects_plan(
        rows, mapping=job.mapping, programme_id=job.programme_id, lookups=lookups_load()
    )


def _existing(programme_id: int, planned: Sequence[Planned]) -> set[str]:
    names = [p.draft.name for p in planned if p.draft]
    found: set[str] = set()
    for i in range(0, len(names), 1000):
        found |= set(
            Project.objects.filter(
                programme_id=programme_id, name__in=names[i : i + 1000]
            ).values_list("name", flat=True)
        )
    return found


def _rejections(job: ImportJob, planned: Planned) -> list[ImportRejection]:
    excerpt = mask_personal_data(planned.name[:40])[:60]
    return [
        ImportRejection(job=job, row_number=n, reason=reason[:300], excerpt=excerpt)
        for n, reason in sorted(planned.refusals.items())
    ]


def projects_check(job: ImportJob) -> None:
    """The dry run: judge every row, record each refused row with its reason, count the
    projects (and their targets and milestones) that would be created and those already in
    the programme. Writes no project."""
    total, planned = _plan(job)
    assert job.programme_id is not None
    existing = _existing(job.programme_id, planned)
    new = [p for p in planned if p.draft and p.draft.name not in existing]
    refused = [p for p in planned if p.draft is None]
    with transaction.atomic(durable=True):
        ImportRejection.objects.filter(job=job).delete()
        ImportRejection.objects.bulk_create(
            (r for p in refused for r in _rejections(job, p)), batch_size=1000
        )
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.CHECKED,
            checked_at=timezone.now(),
            total=total,
            processed=total,
            valid=len(new),
            existing=len(planned) - len(new) - len(refused),
            rejected=sum(len(p.rows) for p in refused),
            summary={
                "projects": len(new),
                "targets": sum(p.targets for p in new),
                "milestones": sum(p.milestones for p in new),
                "refused_projects": sum(1 for p in refused if p.name),
            },
        )


def projects_run(job: ImportJob) -> None:
    """Create every good project not yet in the programme, each in its own transaction with
    the job's counts. A retry after a failure skips the projects it already handled; a project
    someone added meanwhile under the same name counts as already there."""
    _, planned = _plan(job)
    assert job.programme_id is not None
    actor: User = job.created_by
    handled = int(job.summary.get("handled", 0))
    for index, plan in enumerate(planned):
        if index < handled:
            continue
        summary = {**job.summary, "handled": index + 1}
        counts: dict[str, object] = {"processed": F("processed") + len(plan.rows)}
        try:
            with transaction.atomic(durable=True):
                if plan.draft is None:
                    counts["rejected"] = F("rejected") + len(plan.rows)
                else:
                    # One import into a programme at a time: the name check below holds.
                    Programme.objects.select_for_update().filter(pk=job.programme_id).first()
                    if Project.objects.filter(
                        programme_id=job.programme_id, name=plan.draft.name
                    ).exists():
                        counts["existing"] = F("existing") + 1
                    else:
                        project_create_within(actor=actor, draft=plan.draft, planned=True)
                        counts["created"] = F("created") + 1
                ImportJob.objects.filter(pk=job.pk).update(
                    **counts, summary=summary, progressed_at=timezone.now()
                )
        except MinxinError as refusal:  # changed since the dry run (a unit closed, ...)
            refused = Planned(plan.name, plan.rows, None, dict.fromkeys(plan.rows, refusal.message))
            with transaction.atomic(durable=True):
                ImportRejection.objects.bulk_create(_rejections(job, refused))
                ImportJob.objects.filter(pk=job.pk).update(
                    processed=F("processed") + len(plan.rows),
                    rejected=F("rejected") + len(plan.rows),
                    summary=summary,
                    progressed_at=timezone.now(),
                )
        job.summary = summary


# The template's second sheet: what each column takes (the import reads the first sheet only).
TEMPLATE_NOTES: Final = (
    ("项目名称", "必填。同一项目占多行时，后续行可留空（合并单元格亦可）"),
    ("类别", f"可选：{'、'.join(ProjectKind.labels)}"),
    ("牵头单位", "必填，填系统中的单位全称；配合单位可填多个，用顿号或逗号分隔"),
    ("地点/街道", "可选，填街道或社区名称"),
    ("计划开工 / 计划完成", "必填，日期如 2026-03-01，也可写 2026年3月 或 2026年"),
    ("指标名称 / 目标值 / 计量单位", "一行一个指标；目标值为正数，计量单位如 平方米、户、台、个"),
    (
        "年度分解",
        "跨年项目的分年目标，如 2026:6；2027:6（各年之和不超过目标值）；"
        "也可每年一列，列名如“2026年目标”",
    ),
    ("责任单位", "可选，该指标的责任单位（填系统中的单位全称）"),
    ("坐标", "可选，“纬度, 经度 地点名称”，一格多个点位时每行一个，如 28.2153, 112.9212 景蓉小区"),
    ("节点名称 / 节点计划完成", "一行一个节点；节点日期不得晚于项目计划完成"),
)


def projects_template() -> bytes:
    """A sheet with the columns the import reads, in order, and one example project over
    two rows (the second leaves the project's columns blank, as merged cells read): a
    two-year project with one target cut into years and a point on the map; then a sheet of
    notes on what each column takes."""
    import io

    from openpyxl import Workbook

    unit = Unit.objects.filter(is_active=True).order_by("kind", "name").first()
    lead = unit.name if unit else "某某街道办事处"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("民心工程")
    order = [f for f in FIELDS if f.key != "milestone_end"] + [
        f for f in FIELDS if f.key == "milestone_end"
    ]
    sheet.append([f.label for f in order])
    first = {
        "name": "景蓉小区加装电梯",
        "kind": "加装电梯",
        "lead_unit": lead,
        "start_date": "2026-03-01",
        "end_date": "2027-12-31",
        "budget": "360",
        "summary": "为景蓉小区12个单元加装电梯，分两年完成",
        "target_name": "加装电梯",
        "target_value": "12",
        "measure": "台",
        "target_years": "2026:6；2027:6",
        "points": "28.2153, 112.9212 景蓉小区",
        "milestone_name": "意见征询",
        "milestone_end": "2026-04-30",
    }
    second = {
        "target_name": "惠及居民",
        "target_value": "300",
        "measure": "户",
        "milestone_name": "施工安装",
        "milestone_end": "2027-11-30",
    }
    for values in (first, second):
        sheet.append(row_safe(values.get(f.key, "") for f in order))
    notes = book.create_sheet("填写说明")
    notes.append(["列", "填写说明"])
    for column, note in TEMPLATE_NOTES:
        notes.append(row_safe([column, note]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
