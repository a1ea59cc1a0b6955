"""After the reply (及时反馈 and 定时督查): the citizen's rating, re-handling (重办) after a
dissatisfied one, and archiving what was left unrated. A follow-up call, closing and archiving
by hand need nothing but the table and their change (`services.appeal_act`)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.core.errors import IllegalTransition, ValidationFailed
from minxin.deadlines import calendar
from minxin.deadlines.services import deadlines_for
from minxin.machine.engine import Applied

from .. import changes
from ..machine import APPEALS
from ..models import Appeal, AppealEvent, RevisitStatus
from ..workflow import Action, AppealStatus, Satisfaction
from .review import revisit_for_dissatisfied

ARCHIVED_UNRATED = "超过评价期限未评价，自动归档"


def appeal_rate(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    satisfaction: str,
    comment: str = "",
) -> Applied[Appeal, AppealEvent]:
    """Record the citizen's rating; dissatisfied sends the appeal to follow-up.
    Runs inside the caller's transaction (feedback.services keeps the Rating row)."""
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed("请选择满意、基本满意或不满意")
    action = Action.RATE_DISSATISFIED if satisfaction == Satisfaction.DISSATISFIED else Action.RATE
    applied = APPEALS.transition(
        pk=appeal_id,
        action=action,
        actor=actor,
        reason=comment,
        expected_version=expected_version,
        change=changes.rated(satisfaction=satisfaction),
    )
    if action == Action.RATE_DISSATISFIED:
        revisit_for_dissatisfied(applied.subject, at=applied.event.created_at)
    return applied


@transaction.atomic(durable=True)
def appeal_reopen(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    reason: str,
    days: int | None = None,
) -> Appeal:
    """Back to the lead unit after a dissatisfied rating, with a new completion deadline."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.REOPEN, actor=actor, expected_version=expected_version
    )
    if appeal.lead_unit_id is None:
        raise ValidationFailed("该诉求没有主办单位，无法重办")
    now = timezone.now()
    if days is not None and not 1 <= days <= 60:
        raise ValidationFailed("重办时限应为1至60个工作日")
    resolve_due = (
        calendar.add_working_days(now, days)
        if days is not None
        else deadlines_for(category=appeal.category, urgency=appeal.urgency, start=now).resolve_due
    )
    change = changes.reopened(appeal=appeal, resolve_due=resolve_due)
    return APPEALS.apply(
        appeal, action=Action.REOPEN, actor=actor, reason=reason, change=change
    ).subject


def appeals_unrated_archive(*, now: datetime | None = None, limit: int = 500) -> int:
    """Archive appeals left unrated longer than the configured number of days after their reply
    was released (system action); not while a revisit call is still pending for one."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(settings.MINXIN["ARCHIVE_UNRATED_AFTER_DAYS"]))
    ids = list(
        Appeal.objects.filter(status=AppealStatus.RESOLVED, released_at__lt=cutoff)
        .exclude(revisits__status=RevisitStatus.PENDING)
        .order_by("released_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    system = Actor.system()
    for appeal_id in ids:
        with transaction.atomic():
            try:
                appeal = APPEALS.lock(
                    pk=appeal_id, action=Action.ARCHIVE, actor=system, expected_version=None
                )
                change = changes.closed(appeal=appeal, at=now)
                APPEALS.apply(
                    appeal,
                    action=Action.ARCHIVE,
                    actor=system,
                    reason=ARCHIVED_UNRATED,
                    change=change,
                )
            except IllegalTransition:
                continue  # rated or reopened meanwhile: nothing to do
            done += 1
    return done
