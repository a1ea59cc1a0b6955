"""Every write to a livelihood project, through the projects' machine (`machine.PROJECTS`):
the project's status and its derived figures change only there, each step one ProjectEvent
on its timeline, in the same transaction as the rows it adds (targets, milestones, reports,
letters, links, warnings). Bad input is refused with the reason before anything is written."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.cases.photos import photo_validate
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Region, RegionBoundary, Unit
from minxin.machine.engine import NO_CHANGE, Change
from minxin.notify.services import notifications_send
from minxin.supervision.models import SupervisionOrder
from minxin.supervision.services import supervision_order_issue

from .machine import MISSING, PROJECTS
from .models import (
    LinkSource,
    Milestone,
    Origin,
    Programme,
    ProgressPhoto,
    ProgressReport,
    Project,
    ProjectAppeal,
    ProjectKind,
    ProjectPoint,
    ProjectWarning,
    ResponsibilityLetter,
    Target,
    TargetYear,
    WarningKind,
)
from .schedule import (
    Step,
    backward_plan,
    dated_plan,
    gap,
    is_behind,
    project_progress,
    time_share,
)
from .workflow import ProjectAction, ProjectStatus

A = ProjectAction
NAME_MAX: Final = 200
NOTE_MAX: Final = 2000
VALUE_MAX: Final = Decimal("99999999999999")
LETTER_MAX_BYTES: Final = 10 * 1024 * 1024
LETTER_TYPES: Final = {b"%PDF": "application/pdf"}
PHOTOS_MAX: Final = 6
MILESTONE_DAYS_MAX: Final = 3660


def project_path(project_id: int) -> str:
    return reverse("projects:project_detail", args=[project_id])


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


def _place_checked(project: Project, region_id: int) -> None:
    """A report's place is one of the project's places or a place below one of them."""
    path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first()
    if path is None:
        raise ValidationFailed("所选地点不存在")
    paths = tuple(project.regions.values_list("path", flat=True))
    if not paths or not path.startswith(paths):
        raise ValidationFailed("所选地点不在项目的实施区域内")


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


def project_create_within(
    *, actor: User, draft: ProjectDraft, planned: bool, at: datetime | None = None
) -> Project:
    """`project_create` inside a caller's transaction (the spreadsheet import: all or none)."""
    who = Actor.of(actor)
    now = at or timezone.now()
    PROJECTS.may_create(action=A.CREATE, actor=who)
    draft = _draft_checked(draft)
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


# --- the plain steps ---------------------------------------------------------------------


def _plain_change(action: str, now: datetime) -> Change:
    """What a step without inputs changes besides the status."""
    by_action: dict[str, dict[str, Any]] = {
        A.START: {"started_at": now},
        A.COMPLETE: {"completed_at": now},
        A.ACCEPT: {"accepted_at": now},
        A.SEND_BACK: {"completed_at": None},
        A.REVISIT: {"revisit_at": now},
    }
    fields = by_action.get(action, {})
    return Change(fields) if fields else NO_CHANGE


PLAIN_ACTIONS: Final = frozenset(
    {A.ADOPT, A.START, A.SUSPEND, A.RESUME, A.COMPLETE, A.ACCEPT, A.SEND_BACK, A.REVISIT}
)


@transaction.atomic(durable=True)
def project_act(
    *,
    project_id: int,
    action: str,
    actor: User,
    expected_version: int | None,
    reason: str = "",
    at: datetime | None = None,
) -> Project:
    """A step of the table that needs nothing but the project and a reason."""
    if action not in PLAIN_ACTIONS:
        raise ValidationFailed("该操作需要在对应的表单中办理")
    who = Actor.of(actor)
    project = PROJECTS.lock(
        pk=project_id, action=action, actor=who, expected_version=expected_version
    )
    now = at or timezone.now()
    applied = PROJECTS.apply(
        project, action=action, actor=who, reason=reason, change=_plain_change(action, now), at=now
    )
    if action in (A.COMPLETE, A.SEND_BACK, A.ACCEPT):
        _tell_about(applied.subject, action, reason)
    return applied.subject


def _unit_handlers(project: Project) -> list[User]:
    units = [project.lead_unit_id, *project.assisting_units.values_list("pk", flat=True)]
    return list(User.objects.filter(unit_id__in=units, role=Role.HANDLER, is_active=True))


def _office() -> list[User]:
    return list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))


def _tell_about(project: Project, action: str, reason: str) -> None:
    label = PROJECTS.label(action)
    recipients = _office() if action == A.COMPLETE else _unit_handlers(project)
    notifications_send(
        recipients=recipients,
        title=f"【民心工程】{project.name}：{label}",
        body=reason[:200],
        link=project_path(project.pk),
        kind="project",
    )


# --- progress ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressDraft:
    target_id: int
    value: Decimal
    note: str = ""
    correction_reason: str = ""
    region_id: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    photos: Sequence[UploadedFile[bytes]] = ()


@transaction.atomic(durable=True)
def progress_report(
    *, actor: User, draft: ProgressDraft, at: datetime | None = None
) -> ProgressReport:
    """A unit's cumulative value on a target. Lower than the last one: a correction, with its
    reason (never silent). The target's `achieved` and the project's progress follow."""
    target = Target.objects.filter(pk=draft.target_id).first()
    if target is None:
        raise NotFound("未找到该指标")
    who = Actor.of(actor)
    action = A.CORRECT if (correcting := draft.value < target.achieved) else A.REPORT
    if correcting and not draft.correction_reason.strip():
        raise ValidationFailed(
            f"累计完成值{draft.value}低于上次填报的{target.achieved}："
            "累计值只增不减，如确需更正，请填写更正原因"
        )
    try:
        project = PROJECTS.lock(
            pk=target.project_id, action=action, actor=who, expected_version=None
        )
    except PermissionDenied:
        raise NotFound(MISSING) from None  # another unit's project is as good as missing
    target = Target.objects.select_for_update().get(pk=target.pk)  # under the project's lock
    if who.role == Role.HANDLER and who.unit_id not in (target.unit_id, project.lead_unit_id):
        raise PermissionDenied(f"指标「{target.name}」由其他单位填报")
    photos, note = _evidence_checked(draft)
    if draft.region_id:
        _place_checked(project, draft.region_id)
    latitude, longitude = point_clean(draft.latitude, draft.longitude)
    now = at or timezone.now()
    report = ProgressReport.objects.create(
        target=target,
        project=project,
        unit_id=who.unit_id,
        value=draft.value,
        previous=target.achieved,
        is_correction=correcting,
        note=note,
        region_id=draft.region_id,
        latitude=latitude,
        longitude=longitude,
        reported_by=actor,
        reported_at=now,
    )
    for photo, content_type in photos:
        ProgressPhoto.objects.create(report=report, image=photo, content_type=content_type)
    Target.objects.filter(pk=target.pk).update(achieved=draft.value, reported_at=now)
    progress = project_progress(
        [(draft.value if t.pk == target.pk else t.achieved, t.value) for t in project.targets.all()]
    )
    payload: dict[str, Any] = {"target": target.name, "measure": target.measure}
    payload |= {"value": str(draft.value), "previous": str(target.achieved), "report": report.pk}
    PROJECTS.apply(
        project,
        action=action,
        actor=who,
        reason=draft.correction_reason if correcting else note[:500],
        change=Change({"progress": progress}, payload),
        at=now,
    )
    return report


def _evidence_checked(draft: ProgressDraft) -> tuple[list[tuple[ContentFile[bytes], str]], str]:
    """A report's photos (checked like the citizens') and its note."""
    if len(draft.photos) > PHOTOS_MAX:
        raise ValidationFailed(f"照片最多{PHOTOS_MAX}张")
    photos = [photo_validate(p) for p in draft.photos]
    return photos, text_clean(draft.note, label="说明", max_length=NOTE_MAX, required=False)


@transaction.atomic(durable=True)
def milestone_done(
    *, actor: User, project_id: int, milestone_id: int, done_on: date, at: datetime | None = None
) -> Milestone:
    milestone = Milestone.objects.filter(pk=milestone_id, project_id=project_id).first()
    if milestone is None:
        raise NotFound("未找到该节点")
    if milestone.done_on is not None:
        raise ValidationFailed("该节点已完成")
    if done_on > timezone.localdate():
        raise ValidationFailed("完成日期不能晚于今天")
    who = Actor.of(actor)
    try:
        project = PROJECTS.lock(
            pk=milestone.project_id, action=A.MILESTONE_DONE, actor=who, expected_version=None
        )
    except PermissionDenied:
        raise NotFound(MISSING) from None
    Milestone.objects.filter(pk=milestone.pk).update(done_on=done_on)
    late = (done_on - milestone.planned_end).days
    PROJECTS.apply(
        project,
        action=A.MILESTONE_DONE,
        actor=who,
        reason=milestone.name,
        change=Change(payload={"milestone": milestone.name, "done_on": str(done_on), "late": late}),
        at=at,
    )
    milestone.done_on = done_on
    return milestone


# --- the plan ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def project_replan(
    *, actor: User, project_id: int, end_date: date, reason: str, expected_version: int | None
) -> Project:
    """Move the deadline: the milestones not yet done are planned again backwards from the
    new end; the old plan is kept in the event (history)."""
    who = Actor.of(actor)
    project = PROJECTS.lock(
        pk=project_id, action=A.REPLAN, actor=who, expected_version=expected_version
    )
    if end_date < project.start_date:
        raise ValidationFailed("计划完成日期不能早于计划开工日期")
    milestones = list(project.milestones.order_by("position", "pk"))
    open_steps = [m for m in milestones if m.done_on is None]
    plan = backward_plan(end_date, [Step(m.duration_days) for m in open_steps])
    if plan and plan[0][0] < min(project.start_date, timezone.localdate()):
        raise ValidationFailed("按新的完成日期倒排，未完成节点的开始日期早于今天，请调整工期")
    before = {
        "end_date": str(project.end_date),
        "milestones": [
            {"name": m.name, "start": str(m.planned_start), "end": str(m.planned_end)}
            for m in open_steps
        ],
    }
    for m, (start, end) in zip(open_steps, plan, strict=True):
        m.planned_start, m.planned_end = start, end
    Milestone.objects.bulk_update(open_steps, ["planned_start", "planned_end"])
    return PROJECTS.apply(
        project,
        action=A.REPLAN,
        actor=who,
        reason=reason,
        change=Change({"end_date": end_date}, {"before": before, "end_date": str(end_date)}),
    ).subject


def _letter_scan_type(scan: UploadedFile[bytes]) -> str:
    if (scan.size or 0) > LETTER_MAX_BYTES:
        raise ValidationFailed("扫描件不能超过10MB")
    head = scan.read(4)
    scan.seek(0)
    if head in LETTER_TYPES:
        return LETTER_TYPES[head]
    return photo_validate(scan)[1]


@transaction.atomic(durable=True)
def letter_sign(
    *,
    actor: User,
    project_id: int,
    unit_id: int,
    target_ids: Sequence[int],
    signatories: str,
    signed_on: date,
    scan: UploadedFile[bytes] | None = None,
    at: datetime | None = None,
) -> ResponsibilityLetter:
    """A unit's target responsibility letter (目标责任书), once per unit and project."""
    who = Actor.of(actor)
    project = PROJECTS.lock(pk=project_id, action=A.SIGN_LETTER, actor=who, expected_version=None)
    units = {project.lead_unit_id, *project.assisting_units.values_list("pk", flat=True)}
    if unit_id not in units:
        raise ValidationFailed("责任单位应为该项目的牵头或配合单位")
    signatories = line_clean(signatories, label="签订人", max_length=200)
    if signed_on > timezone.localdate():
        raise ValidationFailed("签订日期不能晚于今天")
    targets = list(project.targets.filter(pk__in=target_ids))
    if not targets or len(targets) != len(set(target_ids)):
        raise ValidationFailed("请选择该项目的指标")
    scan_type = _letter_scan_type(scan) if scan is not None else ""
    try:
        with transaction.atomic():
            letter = ResponsibilityLetter.objects.create(
                project=project,
                unit_id=unit_id,
                signatories=signatories,
                signed_on=signed_on,
                scan=scan,
                scan_type=scan_type,
                created_by=actor,
                created_at=at or timezone.now(),
            )
    except IntegrityError:
        raise ValidationFailed("该单位的目标责任书已录入") from None
    letter.targets.set(targets)
    unit_name = Unit.objects.values_list("name", flat=True).get(pk=unit_id)
    PROJECTS.apply(
        project,
        action=A.SIGN_LETTER,
        actor=who,
        reason=f"{unit_name}：{signatories}",
        change=Change(payload={"unit": unit_name, "targets": [t.name for t in targets]}),
        at=at,
    )
    return letter


# --- appeals -----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def appeal_link(
    *,
    actor: User,
    project_id: int,
    appeal_ids: Sequence[int],
    source: str = LinkSource.MANUAL,
    at: datetime | None = None,
) -> int:
    """Link appeals to a project (the suggested ones a dispatcher confirmed, or by hand);
    already linked ones are left alone. The number newly linked."""
    return appeal_link_within(
        actor=actor, project_id=project_id, appeal_ids=appeal_ids, source=source, at=at
    )


def appeal_link_within(
    *,
    actor: User,
    project_id: int,
    appeal_ids: Sequence[int],
    source: str,
    at: datetime | None = None,
) -> int:
    who = Actor.of(actor)
    project = PROJECTS.lock(pk=project_id, action=A.LINK_APPEAL, actor=who, expected_version=None)
    found = dict(Appeal.objects.filter(pk__in=appeal_ids).values_list("pk", "tracking_number"))
    if len(found) != len(set(appeal_ids)) or not found:
        raise ValidationFailed("未找到要关联的诉求")
    linked = set(project.appeal_links.values_list("appeal_id", flat=True))
    new = [pk for pk in sorted(found) if pk not in linked]
    if not new:
        return 0
    ProjectAppeal.objects.bulk_create(
        ProjectAppeal(
            project=project,
            appeal_id=pk,
            source=source,
            linked_by=actor,
            linked_at=at or timezone.now(),
        )
        for pk in new
    )
    PROJECTS.apply(
        project,
        action=A.LINK_APPEAL,
        actor=who,
        reason="、".join(found[pk] for pk in new[:20]) + ("等" if len(new) > 20 else ""),
        change=Change(payload={"appeals": new[:200], "source": source}),
        at=at,
    )
    return len(new)


@transaction.atomic(durable=True)
def project_from_hotspot(*, actor: User, draft: ProjectDraft, appeal_id: int) -> Project:
    """A hotspot (an appeal and those merged into it) turned into a candidate project, the
    appeals linked to it as its origin."""
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("未找到该集中投诉")
    draft = replace(draft, origin=Origin.HOTSPOT, origin_note=f"集中投诉 {appeal.tracking_number}")
    project = project_create_within(actor=actor, draft=draft, planned=False)
    ids = [appeal.pk, *Appeal.objects.filter(merged_into=appeal).values_list("pk", flat=True)]
    appeal_link_within(
        actor=actor, project_id=project.pk, appeal_ids=ids, source=LinkSource.HOTSPOT
    )
    return Project.objects.get(pk=project.pk)


# --- supervision -------------------------------------------------------------------------


def project_order_issue(
    *, actor: User, project_id: int, content: str, due_at: datetime
) -> SupervisionOrder:
    """A supervision order (督办单) to the project's lead unit, about the project."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        raise NotFound(MISSING)
    return supervision_order_issue(
        actor=actor,
        content=content,
        due_at=due_at,
        unit_id=project.lead_unit_id,
        about=f"民心工程：{project.name}",
        about_link=project_path(project.pk),
    )


def project_warnings_raise(*, today: date | None = None) -> int:
    """Projects in progress behind plan (once per ISO week) and milestones past their planned
    end not done (once per milestone and date): a ProjectWarning and a timeline event each,
    the project's units and the supervision office told. The number raised."""
    today = today or timezone.localdate()
    raised = 0
    projects = Project.objects.filter(status=ProjectStatus.IN_PROGRESS).select_related("programme")
    for project in projects.iterator(chunk_size=500):
        elapsed = time_share(project.start_date, project.end_date, today)
        if is_behind(project.progress, elapsed, project.programme.behind_margin):
            week = today.isocalendar()
            raised += _warn(
                project,
                kind=WarningKind.BEHIND,
                ref=f"{week.year}-W{week.week:02d}",
                elapsed=elapsed,
                text=f"进度{project.progress:g}%，时间已过{elapsed:g}%，"
                f"落后{-gap(project.progress, elapsed):g}个百分点",
            )
    late = Milestone.objects.filter(
        done_on__isnull=True,
        planned_end__lt=today,
        project__status=ProjectStatus.IN_PROGRESS,
    ).select_related("project", "project__programme")
    for milestone in late.iterator(chunk_size=500):
        project = milestone.project
        raised += _warn(
            project,
            kind=WarningKind.MILESTONE,
            ref=f"{milestone.pk}@{milestone.planned_end}",
            elapsed=time_share(project.start_date, project.end_date, today),
            text=f"节点「{milestone.name}」计划{milestone.planned_end:%Y-%m-%d}完成，尚未完成",
            milestone=milestone,
        )
    return raised


@transaction.atomic(durable=True)
def _warn(
    project: Project,
    *,
    kind: str,
    ref: str,
    elapsed: float,
    text: str,
    milestone: Milestone | None = None,
) -> int:
    if ProjectWarning.objects.filter(project=project, kind=kind, ref=ref).exists():
        return 0
    system = Actor.system()
    locked = PROJECTS.lock(pk=project.pk, action=A.WARN, actor=system, expected_version=None)
    try:
        with transaction.atomic():
            ProjectWarning.objects.create(
                project=locked,
                kind=kind,
                ref=ref,
                milestone=milestone,
                progress=locked.progress,
                time_share=elapsed,
            )
    except IntegrityError:
        return 0  # another run raised it
    PROJECTS.apply(
        locked, action=A.WARN, actor=system, reason=text, change=Change(payload={"kind": kind})
    )
    notifications_send(
        recipients=[*_unit_handlers(locked), *_office()],
        title=f"【民心工程预警】{locked.name}",
        body=text,
        link=project_path(locked.pk),
        kind="project_warning",
    )
    return 1
