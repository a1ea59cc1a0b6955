"""Screening (快速甄别): category, place and urgency; duplicates merged into their original.
Marking invalid and restoring need nothing but the table (`services.appeal_act`)."""

from django.db import transaction
from django.db.models import Q

from minxin.accounts.actor import Actor
from minxin.core.errors import ValidationFailed
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region
from minxin.directory.selectors import jurisdiction_of_region

from .. import changes
from ..machine import APPEALS
from ..models import Appeal, AppealKind
from ..workflow import Action, AppealStatus


@transaction.atomic(durable=True)
def appeal_screen(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    category_id: int,
    region_id: int | None,
    urgency: str,
    kind: str | None = None,
    reason: str = "",
) -> Appeal:
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.SCREEN, actor=actor, expected_version=expected_version
    )
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise ValidationFailed("请选择有效的分类")
    if region_id is not None and not Region.objects.filter(pk=region_id).exists():
        raise ValidationFailed("所选区域不存在")
    if region_id is not None and jurisdiction_of_region(region_id) not in (
        None,
        appeal.jurisdiction_id,
    ):
        raise ValidationFailed("所选区域不属于本辖区")
    if urgency not in Urgency.values:
        raise ValidationFailed("未知的紧急程度")
    if kind is not None and kind not in AppealKind.values:
        raise ValidationFailed("未知的诉求类型")
    change = changes.screened(
        category=category, region_id=region_id, urgency=urgency, kind=kind or ""
    )
    return APPEALS.apply(
        appeal, action=Action.SCREEN, actor=actor, reason=reason, change=change
    ).subject


@transaction.atomic(durable=True)
def appeal_merge(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    into_tracking_number: str | None,
    reason: str = "",
) -> Appeal:
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.MERGE, actor=actor, expected_version=expected_version
    )
    # Only an appeal of the same district: another's is as unknown here as a missing one.
    original = Appeal.objects.filter(
        Q(jurisdiction_id=appeal.jurisdiction_id),
        tracking_number=(into_tracking_number or "").strip(),
    ).first()
    if original is None:
        raise ValidationFailed("找不到要合并到的诉求，请核对受理编号")
    if original.pk == appeal_id:
        raise ValidationFailed("不能合并到自身")
    if original.status in (AppealStatus.MERGED, AppealStatus.INVALID):
        raise ValidationFailed("不能合并到已合并或无效的诉求")
    change = changes.merged(into=original)
    return APPEALS.apply(
        appeal, action=Action.MERGE, actor=actor, reason=reason, change=change
    ).subject
