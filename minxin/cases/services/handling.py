"""Handling (及时办理): extensions, what the citizen adds (补充) and the reply that resolves the
appeal (办结答复). Accepting, notes, first contact and a pause while the citizen is asked for
more need nothing but the table and their change (`changes.BY_ACTION`), applied by
`services.appeal_act`."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.selectors import unit_handlers
from minxin.core.errors import ConcurrentEdit, ValidationFailed
from minxin.core.text import text_clean
from minxin.machine.engine import Change
from minxin.notify.services import notifications_send

from .. import changes
from ..machine import APPEALS
from ..models import (
    SUPPLEMENT_MAX,
    Appeal,
    Attachment,
    Extension,
    ExtensionStatus,
    Reply,
    Supplement,
    Transfer,
    TransferStatus,
)
from ..photos import photos_validate
from ..review import review_decide
from ..workflow import Action, AppealStatus
from .review import reply_release
from .subdispatch import sub_pending_refusal


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
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    reason: str,
    photos: Sequence[UploadedFile[bytes]] | None = None,
) -> Reply:
    """Resolve with an answer to the citizen (办结答复): the reason is the reply's text, with
    photos of what was done (checked like the citizen's, `photos_validate`). The review policy
    decides whether it waits for the centre's review or is released at once (`cases.review`);
    its quality check is kept with it. Refused while a community still holds a sub-task of it
    (the street recalls it or waits for the report), and while the unit's transfer request
    waits for the dispatcher (转办)."""
    checked = photos_validate(photos or ())  # decoded before the row is locked
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.RESOLVE, actor=actor, expected_version=expected_version
    )
    sub_pending_refusal(appeal_id)  # a community still holds a sub-task (二级派单)
    if Transfer.objects.filter(appeal_id=appeal_id, status=TransferStatus.PENDING).exists():
        raise ValidationFailed("本单位已申请转办，派单员审批前不能办结答复")
    now = timezone.now()
    applied = APPEALS.apply(
        appeal,
        action=Action.RESOLVE,
        actor=actor,
        reason=reason,
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
    decision = review_decide(appeal=applied.subject, reply=reply)
    reply.quality_score = decision.score
    reply.quality = decision.quality
    reply.review_note = decision.why[:200]
    reply.save(force_insert=True)
    Attachment.objects.bulk_create(
        [
            Attachment(
                appeal=applied.subject,
                reply=reply,
                file=photo,
                content_type=content_type,
                size=photo.size or 0,
                created_at=now,
            )
            for photo, content_type in checked
        ]
    )
    if not decision.review:
        reply_release(applied.subject, actor=Actor.system(), reason=decision.why)
        reply.refresh_from_db()
    return reply


# --- the citizen adds to the appeal (补充) ----------------------------------------------------


@dataclass(frozen=True)
class Supplemented:
    supplement: Supplement
    created: bool  # False when a resubmitted form found the supplement it had already made


@transaction.atomic(durable=True)
def appeal_supplement(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    content: str,
    photos: Sequence[UploadedFile[bytes]] = (),
    submission_key: str,
) -> Supplemented:
    """The citizen adds text and photos to an appeal waiting on them (待诉求人补充) or in
    progress: one SUPPLEMENT event, the suspended clock running again, the lead unit's handlers
    told in-app. A form posted twice (the same one-time key) finds the first supplement, even
    when the first moved the appeal on or changed its version."""
    existing = Supplement.objects.filter(submission_key=submission_key).first()
    if existing is not None and existing.appeal_id == appeal_id:
        return Supplemented(supplement=existing, created=False)
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.SUPPLEMENT, actor=actor, expected_version=None
    )
    existing = Supplement.objects.filter(submission_key=submission_key).first()
    if existing is not None:  # the same form, committed while this one waited for the row
        if existing.appeal_id != appeal_id:
            raise ValidationFailed("页面已过期，请刷新后重试")
        return Supplemented(supplement=existing, created=False)
    if expected_version is not None and appeal.version != expected_version:
        raise ConcurrentEdit(APPEALS.stale)
    text = text_clean(content, label="补充内容", max_length=SUPPLEMENT_MAX)
    checked = photos_validate(photos)
    was_suspended = appeal.status == AppealStatus.SUSPENDED
    change = changes.supplemented(appeal=appeal, at=timezone.now(), photos=len(checked))
    applied = APPEALS.apply(
        appeal, action=Action.SUPPLEMENT, actor=actor, reason=text, change=change
    )
    supplement = Supplement.objects.create(
        appeal=appeal,
        event=applied.event,
        content=applied.event.reason,
        submission_key=submission_key,
        created_at=applied.event.created_at,
    )
    Attachment.objects.bulk_create(
        [
            Attachment(
                appeal=appeal,
                supplement=supplement,
                file=photo,
                content_type=content_type,
                size=photo.size or 0,
                created_at=supplement.created_at,
            )
            for photo, content_type in checked
        ]
    )
    _handlers_told(applied.subject, resumed=was_suspended, photos=len(checked))
    return Supplemented(supplement=supplement, created=True)


def _handlers_told(appeal: Appeal, *, resumed: bool, photos: int) -> None:
    """The lead unit's handlers, in-app (and by mail/SMS as their notifications go): the
    tracking number and what happened, never what the citizen wrote."""
    if appeal.lead_unit_id is None:
        return
    body = "诉求人已补充您要求的情况，诉求恢复办理，办结时限相应顺延。" if resumed else ""
    if photos:
        body += f"附照片{photos}张。"
    notifications_send(
        recipients=unit_handlers([appeal.lead_unit_id]),
        title=f"诉求人补充了情况：{appeal.tracking_number}",
        body=body or "诉求人补充了情况，请查看。",
        link=reverse("cases:appeal_detail", args=[appeal.pk]),
        kind="appeal_supplement",
    )
