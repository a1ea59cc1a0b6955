"""Joint visits (联合处置): one appeal handled on the spot by several units at once. The visit
and each unit's part are written in one transaction; the units that came are told."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.selectors import unit_handlers
from minxin.cases.selectors import appeal_scope_for
from minxin.cases.workflow import OPEN_STATUSES
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Unit
from minxin.notify.services import notifications_send

from .models import JointVisit, JointVisitPart
from .permissions import may_record_visit

PARTS_MAX = 12


@dataclass(frozen=True)
class Part:
    unit_id: int | None
    people: str
    did: str


def _parts_checked(parts: Sequence[Part]) -> tuple[list[Part], list[int]]:
    """The filled rows and their units: two to PARTS_MAX active units, each once."""
    filled = [p for p in parts if p.unit_id or p.people.strip() or p.did.strip()]
    if len(filled) < 2:
        raise ValidationFailed("联合处置至少需要两个单位")
    if len(filled) > PARTS_MAX:
        raise ValidationFailed(f"联合处置最多{PARTS_MAX}个单位")
    unit_ids = [p.unit_id for p in filled if p.unit_id is not None]
    if len(unit_ids) != len(filled):
        raise ValidationFailed("请为每一行选择单位")
    if len(set(unit_ids)) != len(unit_ids):
        raise ValidationFailed("同一单位只能填写一行")
    if Unit.objects.filter(pk__in=unit_ids, is_active=True).count() != len(unit_ids):
        raise ValidationFailed("所选单位不存在或已停用")
    return filled, unit_ids


@transaction.atomic(durable=True)
def joint_visit_record(
    *,
    actor: User,
    appeal_id: int,
    held_at: datetime | None,
    place: str,
    outcome: str,
    parts: Sequence[Part],
    at: datetime | None = None,
) -> JointVisit:
    """At least two units, each once, each with who came and what it did."""
    appeal = appeal_scope_for(user=actor).select_for_update().filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound
    if not may_record_visit(actor, appeal):
        raise PermissionDenied("只有主办单位、派单员和督查室可以记录联合处置")
    if appeal.status not in OPEN_STATUSES:
        raise ValidationFailed("诉求不在办理中，不能记录联合处置")
    now = at or timezone.now()
    if held_at is None:
        raise ValidationFailed("请填写处置时间")
    if held_at > now + timedelta(hours=1):
        raise ValidationFailed("处置时间不能晚于现在：请在处置后记录")
    place = line_clean(place, label="地点", max_length=200)
    outcome = text_clean(outcome, label="共同处置结果", max_length=5000)
    filled, unit_ids = _parts_checked(parts)
    visit = JointVisit.objects.create(
        appeal=appeal,
        held_at=held_at,
        place=place,
        outcome=outcome,
        recorded_by=actor,
        recorded_at=now,
    )
    JointVisitPart.objects.bulk_create(
        [
            JointVisitPart(
                visit=visit,
                unit_id=unit_id,
                people=line_clean(p.people, label="到场人员", max_length=200),
                did=text_clean(p.did, label="处置情况", max_length=2000),
            )
            for p, unit_id in zip(filled, unit_ids, strict=True)
        ]
    )
    notifications_send(
        recipients=unit_handlers(unit_ids),
        title=f"【联合处置】{appeal.tracking_number} 已记录",
        body=outcome[:200],
        link=reverse("cases:appeal_detail", args=[appeal.pk]),
        kind="joint_visit",
    )
    return visit
