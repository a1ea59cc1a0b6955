"""A new livelihood project: what a form or a spreadsheet gives (values, points, the draft of
a project with its targets and milestones), checked and cleaned before anything is written
(`project_draft_clean`, the import's dry run), and the project created with its parts
(`project_create`; `project_create_within` inside a caller's transaction)."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Region, RegionBoundary, Unit

from ..machine import PROJECTS
from ..models import (
    Milestone,
    Origin,
    Programme,
    Project,
    ProjectKind,
    ProjectPoint,
    Target,
    TargetYear,
)
from ..schedule import Step, backward_plan, dated_plan
from ..workflow import ProjectAction

A = ProjectAction
NAME_MAX: Final = 200
VALUE_MAX: Final = Decimal("99999999999999")
MILESTONE_DAYS_MAX: Final = 3660


# --- what a form gives -----------------------------------------------------------------


def value_clean(raw: object, label: str = "数值") -> Decimal:
    """A non-negative decimal out of what was typed (全角 digits and separators allowed)."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        raise ValidationFailed(f"请填写{label}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(f"{label}应为数字") from None
    if not value.is_finite():
        raise ValidationFailed(f"{label}应为数字")
    if value < 0:
        raise ValidationFailed(f"{label}不能为负数")
    if value > VALUE_MAX:
        raise ValidationFailed(f"{label}过大")
    return value.quantize(Decimal("0.01"))


COORDINATES: Final = (("纬度", -90, 90), ("经度", -180, 180))


def point_clean(latitude: object, longitude: object) -> tuple[Decimal | None, Decimal | None]:
    """A point typed or taken from the phone: both or neither, WGS84 degrees in range, kept to
    six decimal places (about 0.1 m)."""
    texts = [str(v if v is not None else "").strip() for v in (latitude, longitude)]
    if not any(texts):
        return None, None
    if not all(texts):
        raise ValidationFailed("经度和纬度须同时填写")
    values: list[Decimal] = []
    for text, (label, low, high) in zip(texts, COORDINATES, strict=True):
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationFailed(f"{label}应为数字") from None
        if not value.is_finite() or not low <= value <= high:
            raise ValidationFailed(f"{label}超出范围（应在{low}到{high}之间）")
        values.append(value.quantize(Decimal("0.000001")))
    return values[0], values[1]


def _point_in_district(latitude: Decimal, longitude: Decimal) -> None:
    """A project's point lies within the district's outlines (their bounding box, when any
    were imported): a typo or swapped degrees would put the project off the map."""
    box = RegionBoundary.objects.aggregate(
        south=Min("min_lat"), north=Max("max_lat"), west=Min("min_lng"), east=Max("max_lng")
    )
    if box["south"] is None:
        return
    if not (box["south"] <= latitude <= box["north"] and box["west"] <= longitude <= box["east"]):
        raise ValidationFailed(
            f"该位置不在本区范围内（纬度{box['south']:.4f}至{box['north']:.4f}，"
            f"经度{box['west']:.4f}至{box['east']:.4f}），请核对经纬度"
        )


POINTS_MAX: Final = 50


@dataclass(frozen=True)
class PointDraft:
    """A project's point on the map as typed: degrees (text or Decimal) and a place name."""

    latitude: Decimal | str
    longitude: Decimal | str
    name: str = ""


@dataclass(frozen=True)
class TargetDraft:
    name: str
    value: Decimal
    measure: str
    unit_id: int | None  # None: the lead unit answers for it
    years: dict[int, Decimal] = field(default_factory=dict)  # a multi-year target's parts


@dataclass(frozen=True)
class MilestoneDraft:
    name: str
    duration_days: int
    task: str = ""
    unit_id: int | None = None
    # A task book that has its own dates (the spreadsheet import): kept, not laid backwards.
    planned_end: date | None = None


@dataclass(frozen=True)
class ProjectDraft:
    programme_id: int
    name: str
    kind: str
    lead_unit_id: int
    start_date: date
    end_date: date
    summary: str = ""
    assisting_unit_ids: tuple[int, ...] = ()
    region_ids: tuple[int, ...] = ()
    points: tuple[PointDraft, ...] = ()
    budget: Decimal | None = None
    is_public: bool = True
    origin: str = Origin.OFFICE
    origin_note: str = ""
    targets: tuple[TargetDraft, ...] = ()
    milestones: tuple[MilestoneDraft, ...] = ()


def _draft_checked(draft: ProjectDraft) -> ProjectDraft:
    """The draft with its texts cleaned, or the first thing wrong with it in Chinese. Queries
    only to see that the programme, units and regions named exist."""
    name = line_clean(draft.name, label="项目名称", max_length=NAME_MAX)
    if draft.kind not in ProjectKind.values:
        raise ValidationFailed("请选择项目类别")
    if not Programme.objects.filter(pk=draft.programme_id).exists():
        raise ValidationFailed("请选择所属计划")
    if draft.end_date < draft.start_date:
        raise ValidationFailed("计划完成日期不能早于计划开工日期")
    units = {draft.lead_unit_id, *draft.assisting_unit_ids}
    units |= {t.unit_id for t in draft.targets if t.unit_id}
    units |= {m.unit_id for m in draft.milestones if m.unit_id}
    if Unit.objects.filter(pk__in=units, is_active=True).count() != len(units):
        raise ValidationFailed("所选单位不存在或已停用")
    if Region.objects.filter(pk__in=draft.region_ids).count() != len(set(draft.region_ids)):
        raise ValidationFailed("所选区域不存在")
    points = _points_checked(draft.points)
    targets = tuple(_target_checked(t) for t in draft.targets)
    first, last = draft.start_date.year, draft.end_date.year
    for t in targets:
        if outside := sorted(y for y in t.years if not first <= y <= last):
            raise ValidationFailed(
                f"指标「{t.name}」的{outside[0]}年目标不在项目工期（{first}至{last}年）内"
            )
    milestones = tuple(_milestone_checked(m) for m in draft.milestones)
    if any(m.planned_end for m in milestones):
        _dates_checked(draft, milestones)
    plan = _milestones_plan(draft.end_date, milestones, draft.start_date)
    if plan and plan[0][0] < draft.start_date:
        raise ValidationFailed(
            f"按倒排工期，首个节点须在{plan[0][0]:%Y-%m-%d}开始，早于计划开工日期；"
            "请缩短工期或推迟完成日期"
        )
    return replace(
        draft,
        name=name,
        summary=text_clean(draft.summary, label="项目内容", max_length=5000, required=False),
        origin_note=line_clean(draft.origin_note, label="来源说明", max_length=300, required=False),
        points=points,
        targets=targets,
        milestones=milestones,
    )


def _points_checked(points: Sequence[PointDraft]) -> tuple[PointDraft, ...]:
    """Each point both degrees, in range, inside the district; named with at most 100
    characters. With several, a refusal says which."""
    if len(points) > POINTS_MAX:
        raise ValidationFailed(f"位置最多{POINTS_MAX}个")
    checked = []
    for i, point in enumerate(points, 1):
        try:
            latitude, longitude = point_clean(point.latitude, point.longitude)
            if latitude is None or longitude is None:
                raise ValidationFailed("请填写经度和纬度")
            _point_in_district(latitude, longitude)
            name = line_clean(point.name, label="地点名称", max_length=100, required=False)
        except ValidationFailed as refusal:
            if len(points) == 1:
                raise
            raise ValidationFailed(f"第{i}个位置：{refusal.message}") from None
        checked.append(PointDraft(latitude=latitude, longitude=longitude, name=name))
    return tuple(checked)


def _target_checked(t: TargetDraft) -> TargetDraft:
    name = line_clean(t.name, label="指标名称", max_length=100)
    measure = line_clean(t.measure, label=f"指标「{name}」的计量单位", max_length=20)
    if t.value <= 0:
        raise ValidationFailed(f"指标「{name}」的目标值应大于0")
    if any(v < 0 for v in t.years.values()):
        raise ValidationFailed(f"指标「{name}」的年度目标不能为负数")
    if t.years and sum(t.years.values()) > t.value:
        raise ValidationFailed(f"指标「{name}」的年度目标之和超过了总目标")
    return replace(t, name=name, measure=measure)


def project_draft_clean(draft: ProjectDraft) -> ProjectDraft:
    """The draft as `project_create` would store it, or the reason it would refuse it (the
    spreadsheet import's dry run, which writes nothing)."""
    return _draft_checked(draft)


def _dates_checked(draft: ProjectDraft, milestones: Sequence[MilestoneDraft]) -> None:
    for m in milestones:
        if m.planned_end is None:
            raise ValidationFailed("节点的计划完成日期须全部填写或全部不填")
        if not draft.start_date <= m.planned_end <= draft.end_date:
            raise ValidationFailed(
                f"节点「{m.name}」的计划完成日期{m.planned_end:%Y-%m-%d}不在项目计划工期"
                f"（{draft.start_date:%Y-%m-%d}至{draft.end_date:%Y-%m-%d}）内"
            )
    ends = [m.planned_end for m in milestones if m.planned_end]
    if ends != sorted(ends):
        raise ValidationFailed("节点应按计划完成日期先后排列")


def _milestones_plan(
    end: date, milestones: Sequence[MilestoneDraft], start: date | None = None
) -> list[tuple[date, date]]:
    dated = [m.planned_end for m in milestones if m.planned_end]
    if start is not None and dated and len(dated) == len(milestones):
        return dated_plan(start, dated)
    return backward_plan(end, [Step(m.duration_days) for m in milestones])


def _milestone_checked(m: MilestoneDraft) -> MilestoneDraft:
    name = line_clean(m.name, label="节点名称", max_length=100)
    if m.planned_end is None and not 1 <= m.duration_days <= MILESTONE_DAYS_MAX:
        raise ValidationFailed(f"节点「{name}」的工期应在1到{MILESTONE_DAYS_MAX}天之间")
    task = line_clean(m.task, label=f"节点「{name}」的任务", max_length=300, required=False)
    return replace(m, name=name, task=task)


@transaction.atomic(durable=True)
def project_create(
    *, actor: User, draft: ProjectDraft, planned: bool = True, at: datetime | None = None
) -> Project:
    """A project with its targets and milestones (planned backwards from its end), as a
    candidate, and into the plan at once when `planned`. `at`: when (the demo's history)."""
    return project_create_within(actor=actor, draft=draft, planned=planned, at=at)


def _programme_district(programme_id: int) -> int:
    return Programme.objects.values_list("jurisdiction_id", flat=True).get(pk=programme_id)


def project_create_within(
    *, actor: User, draft: ProjectDraft, planned: bool, at: datetime | None = None
) -> Project:
    """`project_create` inside a caller's transaction (the spreadsheet import: all or none)."""
    who = Actor.of(actor)
    now = at or timezone.now()
    PROJECTS.may_create(action=A.CREATE, actor=who)
    draft = _draft_checked(draft)
    if actor.jurisdiction_scope not in (None, _programme_district(draft.programme_id)):
        raise ValidationFailed("请选择所属计划")  # another district's programme: not offered
    project = Project.objects.create(
        programme_id=draft.programme_id,
        name=draft.name,
        kind=draft.kind,
        summary=draft.summary,
        lead_unit_id=draft.lead_unit_id,
        budget=draft.budget,
        start_date=draft.start_date,
        end_date=draft.end_date,
        is_public=draft.is_public,
        origin=draft.origin,
        origin_note=draft.origin_note,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    project.assisting_units.set(set(draft.assisting_unit_ids) - {draft.lead_unit_id})
    project.regions.set(draft.region_ids)
    _parts_written(project, draft)
    PROJECTS.created(
        project,
        action=A.CREATE,
        actor=who,
        payload={"targets": len(draft.targets), "milestones": len(draft.milestones)},
        at=now,
    )
    if planned:
        project = PROJECTS.transition(pk=project.pk, action=A.ADOPT, actor=who, at=now).subject
    return project


def _parts_written(project: Project, draft: ProjectDraft) -> None:
    """A new project's points, targets (with their years; the lead unit's unless another is
    named) and milestones (planned backwards from its end)."""
    ProjectPoint.objects.bulk_create(
        ProjectPoint(
            project=project,
            latitude=p.latitude,
            longitude=p.longitude,
            name=p.name,
            position=position,
        )
        for position, p in enumerate(draft.points)
    )
    for position, t in enumerate(draft.targets):
        target = Target.objects.create(
            project=project,
            name=t.name,
            value=t.value,
            measure=t.measure,
            unit_id=t.unit_id or draft.lead_unit_id,
            position=position,
        )
        TargetYear.objects.bulk_create(
            TargetYear(target=target, year=y, value=v) for y, v in sorted(t.years.items())
        )
    plan = _milestones_plan(draft.end_date, draft.milestones, draft.start_date)
    Milestone.objects.bulk_create(
        Milestone(
            project=project,
            name=m.name,
            task=m.task,
            unit_id=m.unit_id,
            duration_days=(end - start).days + 1,
            planned_start=start,
            planned_end=end,
            position=position,
        )
        for position, (m, (start, end)) in enumerate(zip(draft.milestones, plan, strict=True))
    )
