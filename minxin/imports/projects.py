"""The office's 民心工程 list imported into a programme: one sheet, one row per target, the
project's columns repeated (or left blank, as merged cells read) on its other rows, and a
milestone (节点名称 / 节点计划完成) on any row.

Rows group into projects by name (a row without a name continues the project above it). A
project is imported whole or not at all: one bad row refuses its project, and every row of it
says why. Each project goes through `projects.services.project_create_within` (so the machine
writes its events), in its own transaction with the job's counts; a project already in the
programme under the same name is left alone, so running the same file twice adds nothing.

Lives in `imports` (a layer above `projects`) to share the job machinery: upload, mapping,
dry run and run in the background, progress, rejections. What a cell says is read in
`project_cells`; the template the office fills in is built in `project_template`.
"""

from __future__ import annotations

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
from minxin.projects.models import Programme, Project
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
from .mapping import Field, header_normalise
from .models import ImportJob, ImportRejection, ImportStatus
from .project_cells import (
    YEAR_PREFIX,
    Lookups,
    day_parse,
    kind_parse,
    lead_parse,
    lookups_load,
    milestone_parse,
    place_parse,
    points_parse,
    target_parse,
    units_parse,
)

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
T = TypeVar("T")


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
        kind=_field(group, "kind", kind_parse),
        lead=_field(group, "lead_unit", lambda t: lead_parse(t, lookups)),
        assisting=_field(group, "assisting_units", lambda t: units_parse(t, lookups)),
        place=_field(group, "place", lambda t: place_parse(t, lookups)),
        start=_field(group, "start_date", lambda t: day_parse(t, label="计划开工")),
        end=_field(group, "end_date", lambda t: day_parse(t, label="计划完成", last=True)),
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
    for point in points_parse(values.get("points", "")):
        # A point repeated on rows counts once.
        parts.points.setdefault((str(point.latitude), str(point.longitude), point.name), point)
    target = target_parse(values, lookups)
    if target is not None:
        if target.name in parts.target_names:
            raise ValidationFailed(f"指标「{target.name}」在本项目中重复")
        parts.target_names.add(target.name)
        parts.targets.append(target)
    milestone = milestone_parse(values)
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
