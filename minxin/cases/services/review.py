"""办结审核 and 回访: the centre's review of a unit's reply before the citizen sees it, and the
calls back to the citizen after it.

`reply_submit` (handling) asks the review policy (`cases.review.review_decide`) whether the
reply waits for a reviewer; if not, it is released at once by the system, so every reply passes
the same `approve_reply` row. A reviewer approves (released, the citizen told, maybe queued for
a revisit) or sends it back to the unit with a reason (its clock runs again, the deadline moved
by the review's working time: docs/metrics.md)."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.core.errors import ValidationFailed
from minxin.machine.engine import Applied, Change

from .. import changes
from ..machine import APPEALS
from ..models import Appeal, AppealEvent, Reply, Revisit, RevisitReason, RevisitStatus
from ..workflow import Action, Satisfaction


def reply_release(
    appeal: Appeal, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Applied[Appeal, AppealEvent]:
    """Release the latest reply of an appeal `APPEALS.lock` returned for `approve_reply`, in
    the caller's transaction; queue a sampled revisit."""
    now = at or timezone.now()
    reply = Reply.objects.filter(appeal_id=appeal.pk).order_by("-created_at", "-id").first()
    if reply is None:
        raise ValidationFailed("该诉求没有待审核的答复")
    change = changes.reply_released(
        appeal=appeal, reply=reply, at=now, reviewed=actor.role != Role.SYSTEM
    )
    applied = APPEALS.apply(
        appeal, action=Action.APPROVE_REPLY, actor=actor, reason=reason, change=change, at=now
    )
    Reply.objects.filter(pk=reply.pk).update(released_at=now)
    replies = Reply.objects.filter(appeal_id=appeal.pk).count()
    percent = int(settings.MINXIN["REVISIT_SAMPLE_PERCENT"])
    if (
        changes.revisit_sampled(
            tracking_number=appeal.tracking_number, replies=replies, percent=percent
        )
        and not Revisit.objects.filter(appeal_id=appeal.pk, status=RevisitStatus.PENDING).exists()
    ):
        changes.revisit_queued(appeal=appeal, reason=RevisitReason.SAMPLE, at=now).save(
            force_insert=True
        )
    return applied


@transaction.atomic(durable=True)
def reply_approve(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str = ""
) -> Appeal:
    """A reviewer passes the reply: the citizen sees it now."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.APPROVE_REPLY, actor=actor, expected_version=expected_version
    )
    return reply_release(appeal, actor=actor, reason=reason).subject


@transaction.atomic(durable=True)
def reply_send_back(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> Appeal:
    """A reviewer sends the reply back to the unit with what to change (审核退回)."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.SEND_BACK, actor=actor, expected_version=expected_version
    )
    change = changes.sent_back(appeal=appeal, at=timezone.now())
    return APPEALS.apply(
        appeal, action=Action.SEND_BACK, actor=actor, reason=reason, change=change
    ).subject


def revisit_for_dissatisfied(appeal: Appeal, *, at: datetime) -> None:
    """Every dissatisfied rating is called back: queue it, or make the sampled call pending
    for this appeal the dissatisfied one. In the rating's transaction."""
    pending = Revisit.objects.filter(appeal_id=appeal.pk, status=RevisitStatus.PENDING)
    if not pending.update(reason=RevisitReason.DISSATISFIED):
        changes.revisit_queued(appeal=appeal, reason=RevisitReason.DISSATISFIED, at=at).save(
            force_insert=True
        )


@transaction.atomic(durable=True)
def revisit_record(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    reached: bool,
    solved: bool | None = None,
    satisfaction: str = "",
    reason: str = "",
) -> Revisit:
    """One revisit call: reached (with the two answers) or not; the third call that does not
    reach the citizen closes the revisit as unreachable."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.FOLLOW_UP, actor=actor, expected_version=expected_version
    )
    revisit = (
        Revisit.objects.select_for_update()
        .filter(appeal_id=appeal_id, status=RevisitStatus.PENDING)
        .first()
    )
    if revisit is None:
        raise ValidationFailed("该诉求没有待回访的任务")
    if reached and (solved is None or satisfaction not in Satisfaction.values):
        raise ValidationFailed("已接通的回访请选择问题是否解决、诉求人是否满意")
    note = APPEALS.reason_clean(Action.FOLLOW_UP, reason)
    if not reached and not note:
        note = changes.revisit_unreached_note(revisit.attempts + 1)
    now = timezone.now()
    fields, payload = changes.revisit_called(
        revisit=revisit,
        at=now,
        reached=reached,
        solved=solved,
        satisfaction=satisfaction,
        note=note,
    )
    APPEALS.apply(
        appeal,
        action=Action.FOLLOW_UP,
        actor=actor,
        reason=note,
        change=Change(payload=payload),
        at=now,
    )
    Revisit.objects.filter(pk=revisit.pk).update(**fields)
    revisit.refresh_from_db()
    return revisit
