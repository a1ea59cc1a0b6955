"""A project's progress: a unit's cumulative value on a target (a lower one is a correction
with its reason), with its place, point and photos, and a milestone done."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.photos import photo_validate
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.core.models import photos_save
from minxin.core.text import text_clean
from minxin.directory.models import Region
from minxin.machine.engine import Change

from ..machine import MISSING, PROJECTS
from ..models import Milestone, ProgressPhoto, ProgressReport, Project, Target
from ..schedule import project_progress
from ..workflow import ProjectAction
from .create import point_clean

A = ProjectAction
NOTE_MAX: Final = 2000
PHOTOS_MAX: Final = 6


def _place_checked(project: Project, region_id: int) -> None:
    """A report's place is one of the project's places or a place below one of them."""
    path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first()
    if path is None:
        raise ValidationFailed("所选地点不存在")
    paths = tuple(project.regions.values_list("path", flat=True))
    if not paths or not path.startswith(paths):
        raise ValidationFailed("所选地点不在项目的实施区域内")


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
    photos_save(ProgressPhoto, photos, report=report)
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
