"""Dispatch (快速交办): to one lead unit and any assisting units, with deadlines from policy;
the lead unit may send it back (退单)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.core.errors import ValidationFailed
from minxin.deadlines.services import deadlines_for
from minxin.directory.models import Unit
from minxin.directory.selectors import serving

from .. import changes
from ..machine import APPEALS
from ..models import Appeal, Assignment
from ..workflow import Action


@transaction.atomic(durable=True)
def appeal_dispatch(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    lead_unit_id: int,
    assist_unit_ids: Sequence[int] = (),
    reason: str = "",
) -> Appeal:
    """Give the appeal to one lead unit and any assisting units, with deadlines from policy."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.DISPATCH, actor=actor, expected_version=expected_version
    )
    assist_ids = sorted({int(u) for u in assist_unit_ids} - {lead_unit_id})
    units = {
        u.pk: u
        for u in Unit.objects.filter(
            serving(appeal.jurisdiction_id), pk__in=[lead_unit_id, *assist_ids], is_active=True
        )
    }
    if lead_unit_id not in units:
        raise ValidationFailed("请选择有效的主办单位")
    if len(units) != len(assist_ids) + 1:
        raise ValidationFailed("协办单位中有无效单位")
    now = timezone.now()
    due = deadlines_for(category=appeal.category, urgency=appeal.urgency, start=now)
    change = changes.dispatched(
        at=now,
        lead=units[lead_unit_id],
        assists=[units[u] for u in assist_ids],
        first_contact_due=due.first_contact_due,
        resolve_due=due.resolve_due,
        cap=appeal.upstream_due,
    )
    applied = APPEALS.apply(
        appeal, action=Action.DISPATCH, actor=actor, reason=reason, change=change
    )
    Assignment.objects.filter(appeal_id=appeal_id, is_active=True).update(
        **changes.assignment_ended(at=now, reason=changes.REDISPATCHED)
    )
    Assignment.objects.bulk_create(
        changes.assignments_given(
            appeal=applied.subject,
            lead_unit_id=lead_unit_id,
            assist_unit_ids=assist_ids,
            at=now,
            by_id=actor.user.pk if actor.user else None,
        )
    )
    return applied.subject


@transaction.atomic(durable=True)
def assignment_return(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> Appeal:
    """The lead unit sends the appeal back: not ours. The dispatcher sees it again, and
    re-dispatches it or refuses the return (`transfer.return_refuse`); the event keeps the
    deadlines the unit had, which a refused return may give back."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.RETURN, actor=actor, expected_version=expected_version
    )
    applied = APPEALS.apply(
        appeal,
        action=Action.RETURN,
        actor=actor,
        reason=reason,
        change=changes.returned(unit_id=actor.unit_id, appeal=appeal),
    )
    Assignment.objects.filter(appeal_id=appeal_id, is_active=True).update(
        **changes.assignment_ended(
            at=applied.event.created_at, reason=changes.return_reason(applied.event.reason)
        )
    )
    return applied.subject
