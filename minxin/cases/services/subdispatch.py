"""二级派单 (sub-dispatch): the lead unit, a street office, passes an appeal down to a community
or grid unit under it with a deadline inside the appeal's own; the community reports back what
it did; the street may recall it. The appeal's status does not change and its lead stays: the
street answers the citizen and is scored. Each step is one of the appeal's events (the machine's
`sub_dispatch`, `sub_report`, `sub_recall` rows) and moves the `SubAssignment` that says who
holds the sub-task, in the same transaction."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.selectors import unit_handlers
from minxin.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from minxin.directory.models import CHILD_KINDS, Unit
from minxin.machine.engine import Change
from minxin.notify.services import notifications_send

from ..machine import APPEALS
from ..models import Appeal, SubAssignment, SubAssignmentStatus
from ..workflow import Action


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def sub_assignment_pending(appeal_id: int, *, lock: bool = False) -> SubAssignment | None:
    """The appeal's sub-task still waiting for its community's report, if any."""
    rows = SubAssignment.objects.select_related("unit").filter(
        appeal_id=appeal_id, status=SubAssignmentStatus.PENDING
    )
    return (rows.select_for_update() if lock else rows).first()


def sub_pending_refusal(appeal_id: int) -> None:
    """Refuse what ends the street's part (the reply) while a community still holds a sub-task."""
    pending = sub_assignment_pending(appeal_id)
    if pending is not None:
        raise IllegalTransition(
            f"下派给{pending.unit.name}的任务尚未反馈：请等其反馈，或先收回下派，再办结答复"
        )


def _child_unit(lead_unit_id: int | None, unit_id: int | None) -> Unit:
    """The community or grid unit chosen, once it is active and under the lead unit."""
    if not unit_id:
        raise ValidationFailed("请选择下派的社区或网格")
    unit = (
        Unit.objects.select_related("parent__parent")
        .filter(pk=unit_id, is_active=True, kind__in=CHILD_KINDS)
        .first()
    )
    if unit is None:
        raise ValidationFailed("请选择有效的社区或网格单位")
    lead = Unit.objects.filter(pk=lead_unit_id).first() if lead_unit_id else None
    if lead is None or not lead.is_above(unit):
        raise PermissionDenied(f"{unit.name}不是本单位下属的社区或网格，不能下派")
    return unit


def _due_checked(appeal: Appeal, due_at: datetime | None, now: datetime) -> datetime:
    if due_at is None:
        raise ValidationFailed("请填写下派时限")
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if due_at <= now:
        raise ValidationFailed("下派时限应晚于现在")
    if appeal.resolve_due is None:
        raise IllegalTransition("该诉求没有办结时限，不能下派")
    if due_at > appeal.resolve_due:
        raise ValidationFailed(f"下派时限不能晚于诉求的办结时限（{_when(appeal.resolve_due)}）")
    return due_at


@transaction.atomic(durable=True)
def appeal_sub_dispatch(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    sub_unit: int | None,
    sub_due: datetime | None,
    reason: str = "",
) -> SubAssignment:
    """The lead unit's handler passes the appeal down to a community or grid unit under it,
    with a deadline no later than the appeal's own; the community's handlers are told."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.SUB_DISPATCH, actor=actor, expected_version=expected_version
    )
    now = timezone.now()
    pending = sub_assignment_pending(appeal_id, lock=True)
    if pending is not None:
        raise IllegalTransition(
            f"该诉求已下派给{pending.unit.name}，尚未反馈；如需改派，请先收回下派"
        )
    unit = _child_unit(appeal.lead_unit_id, sub_unit)
    due_at = _due_checked(appeal, sub_due, now)
    applied = APPEALS.apply(
        appeal,
        action=Action.SUB_DISPATCH,
        actor=actor,
        reason=reason,
        change=Change(
            payload={"sub_unit": unit.name, "sub_unit_id": unit.pk, "sub_due": _when(due_at)}
        ),
        at=now,
    )
    assert appeal.lead_unit_id is not None  # the lead's handler, per the table
    sub = SubAssignment.objects.create(
        appeal=applied.subject,
        unit=unit,
        from_unit_id=appeal.lead_unit_id,
        due_at=due_at,
        instructions=applied.event.reason,
        assigned_by=actor.user,
        assigned_at=now,
    )
    _told(
        unit_id=unit.pk,
        appeal=applied.subject,
        title=f"街道下派诉求：{appeal.tracking_number}",
        body=f"请于 {_when(due_at)} 前办理并反馈。",
        kind="appeal_sub_dispatch",
    )
    return sub


@transaction.atomic(durable=True)
def appeal_sub_report(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> SubAssignment:
    """The community's handler reports back what it did; the street's handlers are told. The
    sub-task ends; the street decides what follows (the reply is still its own)."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.SUB_REPORT, actor=actor, expected_version=expected_version
    )
    pending = sub_assignment_pending(appeal_id, lock=True)
    if pending is None or pending.unit_id != actor.unit_id:  # the table's DELEGATED rule
        raise PermissionDenied("只有承接下派任务的单位可以反馈办理情况")
    now = timezone.now()
    applied = APPEALS.apply(
        appeal,
        action=Action.SUB_REPORT,
        actor=actor,
        reason=reason,
        change=Change(payload={"sub_unit": pending.unit.name, "overdue": now > pending.due_at}),
        at=now,
    )
    SubAssignment.objects.filter(pk=pending.pk).update(
        status=SubAssignmentStatus.REPORTED,
        report=applied.event.reason,
        reported_by=actor.user,
        reported_at=now,
        ended_at=now,
    )
    pending.refresh_from_db()
    if appeal.lead_unit_id is not None:
        _told(
            unit_id=appeal.lead_unit_id,
            appeal=applied.subject,
            title=f"{pending.unit.name}已反馈：{appeal.tracking_number}",
            body="社区/网格已反馈办理情况，请核实后答复诉求人。",
            kind="appeal_sub_report",
        )
    return pending


@transaction.atomic(durable=True)
def appeal_sub_recall(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> SubAssignment:
    """The street takes the sub-task back (to handle it itself, or to pass it to another
    community); the community no longer sees the appeal."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.SUB_RECALL, actor=actor, expected_version=expected_version
    )
    pending = sub_assignment_pending(appeal_id, lock=True)
    if pending is None:
        raise IllegalTransition("该诉求没有待反馈的下派任务")
    now = timezone.now()
    applied = APPEALS.apply(
        appeal,
        action=Action.SUB_RECALL,
        actor=actor,
        reason=reason,
        change=Change(payload={"sub_unit": pending.unit.name}),
        at=now,
    )
    SubAssignment.objects.filter(pk=pending.pk).update(
        status=SubAssignmentStatus.RECALLED,
        recall_reason=applied.event.reason[:500],
        ended_at=now,
    )
    pending.refresh_from_db()
    _told(
        unit_id=pending.unit_id,
        appeal=applied.subject,
        title=f"街道已收回下派：{appeal.tracking_number}",
        body="该诉求已由街道收回，无需再办理。",
        kind="appeal_sub_recall",
        link=False,
    )
    return pending


def _told(
    *, unit_id: int, appeal: Appeal, title: str, body: str, kind: str, link: bool = True
) -> None:
    """A unit's handlers, in-app: the tracking number and what happened."""
    notifications_send(
        recipients=unit_handlers([unit_id]),
        title=title,
        body=body,
        link=reverse("cases:appeal_detail", args=[appeal.pk]) if link else "",
        kind=kind,
    )
