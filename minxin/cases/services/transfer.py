"""Between units: transfer after acceptance (转办/改派) and the review of returns (退单审核).

A lead unit that has accepted an appeal asks for it to go to another unit (`transfer_request`,
a reason and maybe a suggested unit); the appeal stays with it, its status unchanged, until the
dispatcher or a supervisor decides (`transfer_decide`): approved, the chosen unit becomes the
lead and receives it to accept (the clock as the deadline policy's `transfer_restarts_clock`
says); refused, with a reason, nothing else changes. A return (退单) the dispatcher finds
unjustified is refused (`return_refuse`): the appeal goes back to the unit that returned it,
with the assignments it had, the deadline as the policy's `refused_return_restarts_clock`
says, and the refusal counts against that unit (退单驳回率, docs/metrics.md)."""

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers
from minxin.core.errors import IllegalTransition, ValidationFailed
from minxin.deadlines.services import clock_rules_for, deadlines_for
from minxin.directory.models import Unit
from minxin.directory.selectors import serving
from minxin.machine.engine import Applied, Change
from minxin.notify.services import notifications_send

from .. import changes
from ..machine import APPEALS
from ..models import Appeal, AppealEvent, Assignment, AssignmentRole, Transfer, TransferStatus
from ..workflow import Action
from .subdispatch import sub_assignment_pending

PENDING_ALREADY = "本诉求已有待审批的转办申请，请等待派单员审批"
NONE_PENDING = "没有待审批的转办申请"


def transfer_pending(appeal_id: int) -> Transfer | None:
    return Transfer.objects.filter(appeal_id=appeal_id, status=TransferStatus.PENDING).first()


def _unit(unit_id: Any, *, appeal: Appeal, missing: str) -> Unit:
    """An active unit serving the appeal's district (a transfer stays within it)."""
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise ValidationFailed(missing) from None
    unit = Unit.objects.filter(serving(appeal.jurisdiction_id), pk=pk, is_active=True).first()
    if unit is None:
        raise ValidationFailed(missing)
    return unit


@transaction.atomic(durable=True)
def transfer_request(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    reason: str,
    suggested_unit_id: int | None = None,
) -> Transfer:
    """The lead unit asks for the appeal to be transferred: one REQUEST_TRANSFER event and a
    pending request; the appeal stays with the unit. One request pending at a time."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.REQUEST_TRANSFER, actor=actor, expected_version=expected_version
    )
    if transfer_pending(appeal_id) is not None:
        raise ValidationFailed(PENDING_ALREADY)
    _no_sub_task(appeal_id, then="申请转办")
    suggested = None
    if suggested_unit_id:
        suggested = _unit(suggested_unit_id, appeal=appeal, missing="建议的承办单位无效")
        if suggested.pk == appeal.lead_unit_id:
            raise ValidationFailed("建议的承办单位应是其他单位")
    event = APPEALS.apply(
        appeal,
        action=Action.REQUEST_TRANSFER,
        actor=actor,
        reason=reason,
        change=Change(
            payload={
                "unit_id": actor.unit_id,
                "suggested_unit_id": suggested.pk if suggested else None,
                "suggested_unit": suggested.name if suggested else "",
            }
        ),
    ).event
    assert actor.user is not None and actor.unit_id is not None  # handlers only, per the table
    transfer = changes.transfer_requested(
        appeal=appeal,
        unit_id=actor.unit_id,
        by_id=actor.user.pk,
        reason=event.reason,
        suggested_unit_id=suggested.pk if suggested else None,
        at=event.created_at,
    )
    transfer.save(force_insert=True)
    _told(
        User.objects.filter(role=Role.DISPATCHER),
        appeal,
        title=f"转办申请待审批：{appeal.tracking_number}",
        body="承办单位申请转办，请在「甄别派单 · 转办审批」中审批。",
    )
    return transfer


@transaction.atomic(durable=True)
def transfer_decide(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    approve: bool,
    reason: str = "",
    lead_unit_id: int | None = None,
) -> Appeal:
    """The dispatcher's (or a supervisor's) decision on the pending request. Approved: the
    chosen unit becomes the lead (its assignment begins, the requesting unit's ends) and
    receives the appeal to accept. Refused: the reason recorded, the appeal goes on as it was."""
    action = Action.APPROVE_TRANSFER if approve else Action.REFUSE_TRANSFER
    appeal = APPEALS.lock(
        pk=appeal_id, action=action, actor=actor, expected_version=expected_version
    )
    pending = (
        Transfer.objects.select_for_update()
        .filter(appeal_id=appeal_id, status=TransferStatus.PENDING)
        .first()
    )
    if pending is None:
        raise ValidationFailed(NONE_PENDING)
    if approve:
        applied, to_unit_id = _transfer_approve(
            appeal, pending=pending, actor=actor, reason=reason, lead_unit_id=lead_unit_id
        )
    else:
        applied = APPEALS.apply(
            appeal,
            action=action,
            actor=actor,
            reason=reason,
            change=Change(payload={"transfer_id": pending.pk, "unit_id": pending.unit_id}),
        )
        to_unit_id = None
    Transfer.objects.filter(pk=pending.pk).update(
        **changes.transfer_decision(
            approve=approve,
            to_unit_id=to_unit_id,
            by_id=actor.user.pk if actor.user else None,
            at=applied.event.created_at,
            reason=applied.event.reason,
        )
    )
    _transfer_told(applied, pending=pending, approve=approve, to_unit_id=to_unit_id)
    return applied.subject


def _transfer_approve(
    appeal: Appeal, *, pending: Transfer, actor: Actor, reason: str, lead_unit_id: int | None
) -> tuple[Applied[Appeal, AppealEvent], int]:
    """The approval applied: the chosen unit checked, the appeal moved to it with the deadlines
    the policy gives a transfer, and the lead handed over. Returns the applied change and the
    new lead unit's id."""
    if not lead_unit_id:
        raise ValidationFailed("请选择转办后的主办单位")
    unit = _unit(lead_unit_id, appeal=appeal, missing="请选择有效的主办单位")
    if unit.pk == appeal.lead_unit_id:
        raise ValidationFailed("转办后的主办单位应不同于当前主办单位")
    _no_sub_task(appeal.pk, then="同意转办")
    now = timezone.now()
    due = deadlines_for(category=appeal.category, urgency=appeal.urgency, start=now)
    rules = clock_rules_for(category=appeal.category, urgency=appeal.urgency)
    change = changes.transferred(
        at=now,
        from_unit_id=appeal.lead_unit_id,
        to=unit,
        restart=rules.transfer_restarts,
        first_contact_due=due.first_contact_due,
        resolve_due=due.resolve_due,
        transfer_id=pending.pk,
    )
    applied = APPEALS.apply(
        appeal, action=Action.APPROVE_TRANSFER, actor=actor, reason=reason, change=change
    )
    _lead_hand_over(applied, pending=pending, unit_id=unit.pk, actor=actor)
    return applied, unit.pk


def _lead_hand_over(
    applied: Applied[Appeal, AppealEvent], *, pending: Transfer, unit_id: int, actor: Actor
) -> None:
    """The requesting unit's lead assignment ends; the new lead's begins, and its assisting
    assignment, if it had one, ends (it is the lead now)."""
    at = applied.event.created_at
    active = Assignment.objects.filter(appeal_id=applied.subject.pk, is_active=True)
    active.filter(role=AssignmentRole.LEAD).update(
        **changes.assignment_ended(at=at, reason=changes.transfer_reason(pending.reason))
    )
    active.filter(role=AssignmentRole.ASSIST, unit_id=unit_id).update(
        **changes.assignment_ended(at=at, reason=changes.BECAME_LEAD)
    )
    Assignment.objects.bulk_create(
        changes.assignments_given(
            appeal=applied.subject,
            lead_unit_id=unit_id,
            assist_unit_ids=[],
            at=at,
            by_id=actor.user.pk if actor.user else None,
        )
    )


def _transfer_told(
    applied: Applied[Appeal, AppealEvent],
    *,
    pending: Transfer,
    approve: bool,
    to_unit_id: int | None,
) -> None:
    """The requesting unit hears the decision; on approval the new lead unit hears it has an
    appeal to accept."""
    number = applied.subject.tracking_number
    verdict = f"转办申请已同意：{number}" if approve else f"转办申请被驳回：{number}"
    _told(
        unit_handlers([pending.unit_id]), applied.subject, title=verdict, body=applied.event.reason
    )
    if to_unit_id is not None:
        _told(
            unit_handlers([to_unit_id]),
            applied.subject,
            title=f"转办至本单位的诉求：{number}",
            body="请及时接单办理。",
        )


@transaction.atomic(durable=True)
def return_refuse(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> Appeal:
    """退单审核: the return was not justified. The appeal goes back to the unit that returned
    it, to accept, with the assisting units it had; the deadline as the policy says."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.REFUSE_RETURN, actor=actor, expected_version=expected_version
    )
    returned = (
        AppealEvent.objects.filter(appeal_id=appeal_id, action=Action.RETURN)
        .order_by("-created_at", "-id")
        .first()
    )
    unit_id = returned.actor_unit_id if returned is not None else None
    if returned is None or unit_id is None:
        raise ValidationFailed("找不到退单的承办单位，请重新派单")
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise ValidationFailed("退单的承办单位已停用，请重新派单")
    now = timezone.now()
    due = deadlines_for(category=appeal.category, urgency=appeal.urgency, start=now)
    rules = clock_rules_for(category=appeal.category, urgency=appeal.urgency)
    change = changes.return_refused(
        at=now,
        unit=unit,
        restart=rules.refused_return_restarts,
        returned_payload=returned.payload or {},
        first_contact_due=due.first_contact_due,
        resolve_due=due.resolve_due,
    )
    applied = APPEALS.apply(
        appeal, action=Action.REFUSE_RETURN, actor=actor, reason=reason, change=change
    )
    # The assisting units the return ended come back with the lead unit.
    assists = Assignment.objects.filter(
        appeal_id=appeal_id, role=AssignmentRole.ASSIST, ended_at=returned.created_at
    ).exclude(unit_id=unit.pk)
    Assignment.objects.bulk_create(
        changes.assignments_given(
            appeal=applied.subject,
            lead_unit_id=unit.pk,
            assist_unit_ids=sorted(set(assists.values_list("unit_id", flat=True))),
            at=applied.event.created_at,
            by_id=actor.user.pk if actor.user else None,
        )
    )
    _told(
        unit_handlers([unit.pk]),
        applied.subject,
        title=f"退单被驳回：{appeal.tracking_number}",
        body=f"{applied.event.reason}（请及时接单办理）",
    )
    return applied.subject


def _no_sub_task(appeal_id: int, *, then: str) -> None:
    """A community still holding a sub-task of the street (二级派单) stops a transfer: the
    street recalls it first (or waits for the report)."""
    pending = sub_assignment_pending(appeal_id)
    if pending is not None:
        raise IllegalTransition(
            f"下派给{pending.unit.name}的任务尚未反馈：请先收回下派或等其反馈，再{then}"
        )


def _told(recipients: Any, appeal: Appeal, *, title: str, body: str) -> None:
    """In-app (and by mail/SMS as their notifications go): the tracking number and the
    decision, never the citizen's words."""
    notifications_send(
        recipients=recipients,
        title=title,
        body=body or title,
        link=reverse("cases:appeal_detail", args=[appeal.pk]),
        kind="appeal_transfer",
    )
