"""The plan and who answers for it: the deadline moved (the open milestones planned backwards
again, the old plan kept in the event) and each unit's target responsibility letter
(目标责任书) with its scan."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Final

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.photos import photo_validate
from minxin.core.errors import ValidationFailed
from minxin.core.text import line_clean
from minxin.directory.models import Unit
from minxin.machine.engine import Change

from ..machine import PROJECTS
from ..models import Milestone, Project, ResponsibilityLetter
from ..schedule import Step, backward_plan
from ..workflow import ProjectAction

A = ProjectAction
LETTER_MAX_BYTES: Final = 10 * 1024 * 1024
LETTER_TYPES: Final = {b"%PDF": "application/pdf"}


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
