"""Handling (及时办理): extensions and the reply that resolves the appeal (办结答复). Accepting,
notes, first contact and a pause while the citizen is asked for more need nothing but the
table and their change (`changes.BY_ACTION`), applied by `services.appeal_act`."""

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.core.errors import ValidationFailed
from minxin.machine.engine import Change

from .. import changes
from ..machine import APPEALS
from ..models import Appeal, Extension, ExtensionStatus, Reply
from ..workflow import Action


@transaction.atomic(durable=True)
def extension_request(
    *, appeal_id: int, actor: Actor, expected_version: int | None, days: int | None, reason: str
) -> Extension:
    appeal = APPEALS.lock(
        pk=appeal_id,
        action=Action.REQUEST_EXTENSION,
        actor=actor,
        expected_version=expected_version,
    )
    if not days:
        raise ValidationFailed("请填写延期天数")
    if not 1 <= days <= 30:
        raise ValidationFailed("延期天数应为1至30个工作日")
    if Extension.objects.filter(appeal_id=appeal_id, status=ExtensionStatus.PENDING).exists():
        raise ValidationFailed("已有待审批的延期申请")
    event = APPEALS.apply(
        appeal,
        action=Action.REQUEST_EXTENSION,
        actor=actor,
        reason=reason,
        change=Change(payload={"days": days}),
    ).event
    assert actor.user is not None and actor.unit_id is not None  # handlers only, per the table
    extension = changes.extension_requested(
        appeal=appeal,
        unit_id=actor.unit_id,
        by_id=actor.user.pk,
        days=days,
        reason=event.reason,
        at=event.created_at,
    )
    extension.save(force_insert=True)
    return extension


@transaction.atomic(durable=True)
def extension_decide(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    approve: bool,
    reason: str = "",
) -> Appeal:
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    appeal = APPEALS.lock(
        pk=appeal_id, action=action, actor=actor, expected_version=expected_version
    )
    pending = (
        Extension.objects.select_for_update()
        .filter(appeal_id=appeal_id, status=ExtensionStatus.PENDING)
        .first()
    )
    if pending is None:
        raise ValidationFailed("没有待审批的延期申请")
    change = changes.extension_decided(appeal=appeal, days=pending.days, approve=approve)
    applied = APPEALS.apply(appeal, action=action, actor=actor, reason=reason, change=change)
    decision = changes.extension_decision(
        approve=approve,
        by_id=actor.user.pk if actor.user else None,
        at=applied.event.created_at,
        reason=applied.event.reason,
    )
    Extension.objects.filter(pk=pending.pk).update(**decision)
    return applied.subject


@transaction.atomic(durable=True)
def reply_submit(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> Reply:
    """Resolve with an answer to the citizen (办结答复): the reason is the reply's text."""
    now = timezone.now()
    applied = APPEALS.transition(
        pk=appeal_id,
        action=Action.RESOLVE,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        change=changes.resolved(at=now),
    )
    assert actor.unit_id is not None  # handlers only, per the table
    reply = changes.reply_given(
        appeal=applied.subject,
        unit_id=actor.unit_id,
        by_id=actor.user.pk if actor.user else None,
        content=applied.event.reason,
        at=now,
    )
    reply.save(force_insert=True)
    return reply
