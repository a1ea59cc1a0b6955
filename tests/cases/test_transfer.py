"""Between units (issue 15): a transfer asked for after acceptance and decided by the dispatcher
(转办), and a return the dispatcher refuses (退单审核) — through the services and through the
views, with the refusals a person gets (in Chinese, 4xx) and the deadlines the policy gives.

Calendar: March 2025 (no holiday), working hours 09:00-12:00 and 13:30-18:00; the default limits
(normal: first contact within 8 working hours, resolved within 10 working days)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    Transfer,
    TransferStatus,
)
from minxin.cases.selectors import actions_available, appeal_visible_to, transfer_requests
from minxin.cases.workflow import Action, AppealStatus
from minxin.citizen.selectors import citizen_appeal_view
from minxin.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from minxin.deadlines.models import DeadlinePolicy, Urgency
from minxin.notify.models import Notification
from tests.builders import District, appeal_in, communities_build

TZ = ZoneInfo(settings.TIME_ZONE)


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


def _v(appeal: Appeal) -> int:
    return Appeal.objects.get(pk=appeal.pk).version


def _actor(d: District, key: str) -> Actor:
    return Actor.of(d.user(key))


def _in(d: District, status: AppealStatus, when: datetime) -> Appeal:
    with time_machine.travel(when, tick=False):
        return appeal_in(d, status)


def _request(d: District, appeal: Appeal, *, key: str = "handler", suggested=None) -> Transfer:
    return services.transfer_request(
        appeal_id=appeal.pk,
        actor=_actor(d, key),
        expected_version=_v(appeal),
        reason="涉及燃气管道，不属于街道职责",
        suggested_unit_id=suggested.pk if suggested else None,
    )


def _approve(d: District, appeal: Appeal, unit, *, key: str = "dispatcher") -> Appeal:
    return services.transfer_decide(
        appeal_id=appeal.pk,
        actor=_actor(d, key),
        expected_version=_v(appeal),
        approve=True,
        lead_unit_id=unit.pk if unit else None,
        reason="同意，转住建局办理",
    )


def _policy(**flags: bool) -> None:
    DeadlinePolicy.objects.create(
        urgency=Urgency.NORMAL, first_contact_hours=Decimal("8"), resolve_days=10, **flags
    )


# --- transfer: the services -------------------------------------------------------------------


def test_a_transfer_asked_for_then_approved_moves_the_appeal_with_fresh_deadlines(district):
    d = district
    street, housing = d.street_units[0], d.departments[1]
    appeal = _in(d, AppealStatus.IN_PROGRESS, at(3))  # dispatched Mon 03-03 10:00
    with time_machine.travel(at(5), tick=False):
        transfer = _request(d, appeal, suggested=housing)
    asked = Appeal.objects.get(pk=appeal.pk)
    # While asked, the appeal stays with the unit, its status and deadlines as they were.
    assert asked.status == AppealStatus.IN_PROGRESS and asked.lead_unit_id == street.pk
    assert asked.resolve_due == at(17, 18)
    assert transfer.status == TransferStatus.PENDING and transfer.suggested_unit_id == housing.pk
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert (event.action, event.from_status, event.to_status) == (
        Action.REQUEST_TRANSFER,
        AppealStatus.IN_PROGRESS,
        AppealStatus.IN_PROGRESS,
    )
    assert event.actor_unit_id == street.pk and event.payload["suggested_unit"] == housing.name
    assert list(transfer_requests(user=d.user("dispatcher"))) == [transfer]

    # Approved Fri 03-07 10:00 (the policy by default restarts the clock): 10 working days
    # from then end Fri 03-21 18:00; 8 working hours from Fri 10:00 are 6.5 h on Friday and
    # 1.5 h on Monday: Mon 03-10 10:30.
    with time_machine.travel(at(7), tick=False):
        moved = _approve(d, appeal, housing)
    assert moved.status == AppealStatus.DISPATCHED and moved.lead_unit_id == housing.pk
    assert moved.dispatched_at == at(7)
    assert moved.resolve_due == at(21, 18) and moved.first_contact_due == at(10, 10, 30)
    assert moved.first_contacted_at is None  # the new unit's own first contact
    transfer.refresh_from_db()
    assert (transfer.status, transfer.to_unit_id) == (TransferStatus.APPROVED, housing.pk)
    leads = Assignment.objects.filter(appeal=appeal, role=AssignmentRole.LEAD).order_by("id")
    assert [(a.unit_id, a.is_active) for a in leads] == [(street.pk, False), (housing.pk, True)]
    assert leads[0].end_reason == "转办：涉及燃气管道，不属于街道职责"
    assert Assignment.objects.get(appeal=appeal, role=AssignmentRole.ASSIST).is_active
    approved = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert approved.action == Action.APPROVE_TRANSFER
    assert approved.payload["from_unit_id"] == street.pk
    assert approved.payload["restarts_clock"] is True
    # The street no longer sees it; the new unit accepts it as any dispatch.
    assert not appeal_visible_to(user=d.user("handler"), appeal_id=appeal.pk)
    assert transfer_requests(user=d.user("dispatcher")).count() == 0
    # The dispatchers were told of the request; the street of the decision, the bureau of
    # its new appeal.
    told = {
        (n.recipient.username, n.title)
        for n in Notification.objects.filter(kind="appeal_transfer").select_related("recipient")
    }
    number = appeal.tracking_number
    assert ("dispatcher", f"转办申请待审批：{number}") in told
    assert ("handler", f"转办申请已同意：{number}") in told
    assert ("handler_other", f"转办至本单位的诉求：{number}") not in told  # another street
    # The citizen reads that it was transferred and to whom, not the units' exchange.
    view = citizen_appeal_view(tracking_number=appeal.tracking_number, granted_ids=[appeal.pk])
    entries = [(e.label, e.text) for e in view.timeline]
    assert ("转办", "转至A3区住房和城乡建设局办理") in entries
    assert not any(label in ("申请转办", "同意转办") for label, _ in entries)


def test_a_policy_that_keeps_the_clock_keeps_the_deadlines_and_the_first_contact(district):
    d = district
    _policy(transfer_restarts_clock=False)
    appeal = _in(d, AppealStatus.IN_PROGRESS, at(3))
    contacted = Appeal.objects.get(pk=appeal.pk).first_contacted_at
    with time_machine.travel(at(5), tick=False):
        _request(d, appeal)
    with time_machine.travel(at(7), tick=False):
        moved = _approve(d, appeal, d.departments[1])
    assert moved.lead_unit_id == d.departments[1].pk
    assert moved.dispatched_at == at(3) and moved.resolve_due == at(17, 18)
    assert moved.first_contacted_at == contacted
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert event.payload["restarts_clock"] is False


def test_a_refused_transfer_leaves_the_appeal_as_it_was(district):
    d = district
    appeal = _in(d, AppealStatus.ACCEPTED, at(3))
    before = Appeal.objects.get(pk=appeal.pk)
    transfer = _request(d, appeal)
    with pytest.raises(ValidationFailed, match="请填写驳回理由"):
        services.transfer_decide(
            appeal_id=appeal.pk,
            actor=_actor(d, "supervisor"),
            expected_version=_v(appeal),
            approve=False,
        )
    services.transfer_decide(
        appeal_id=appeal.pk,
        actor=_actor(d, "supervisor"),
        expected_version=_v(appeal),
        approve=False,
        reason="燃气管道的维修仍由街道牵头协调",
    )
    after = Appeal.objects.get(pk=appeal.pk)
    assert (after.status, after.lead_unit_id, after.resolve_due) == (
        before.status,
        before.lead_unit_id,
        before.resolve_due,
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REFUSED
    assert transfer.decision_reason == "燃气管道的维修仍由街道牵头协调"
    assert AppealEvent.objects.filter(appeal=appeal).latest("id").action == Action.REFUSE_TRANSFER
    # Refused, the unit may ask again.
    assert _request(d, appeal).status == TransferStatus.PENDING


def test_what_is_refused_around_a_transfer(district):
    d = district
    appeal = _in(d, AppealStatus.IN_PROGRESS, at(3))
    # Nothing pending: nothing to decide.
    with pytest.raises(ValidationFailed, match="没有待审批的转办申请"):
        _approve(d, appeal, d.departments[1])
    # Another unit's handler, and the assisting unit's, may not ask.
    with pytest.raises(PermissionDenied, match="只有主办单位可以申请转办"):
        _request(d, appeal, key="handler_other")
    with pytest.raises(PermissionDenied, match="只有主办单位可以申请转办"):
        _request(d, appeal, key="handler_dept")
    with pytest.raises(PermissionDenied, match="派单员不能申请转办"):
        _request(d, appeal, key="dispatcher")
    with pytest.raises(ValidationFailed, match="建议的承办单位应是其他单位"):
        _request(d, appeal, suggested=d.street_units[0])
    _request(d, appeal)
    # A second request while one is pending.
    with pytest.raises(ValidationFailed, match="已有待审批的转办申请"):
        _request(d, appeal)
    # A handler decides nothing; the dispatcher must choose another unit.
    with pytest.raises(PermissionDenied, match="承办人不能同意转办"):
        _approve(d, appeal, d.departments[1], key="handler")
    with pytest.raises(ValidationFailed, match="请选择转办后的主办单位"):
        _approve(d, appeal, None)
    with pytest.raises(ValidationFailed, match="应不同于当前主办单位"):
        _approve(d, appeal, d.street_units[0])
    # No reply while the request waits.
    with pytest.raises(ValidationFailed, match="派单员审批前不能办结答复"):
        services.reply_submit(
            appeal_id=appeal.pk,
            actor=_actor(d, "handler"),
            expected_version=_v(appeal),
            reason="已处理",
        )
    assert Transfer.objects.filter(appeal=appeal).count() == 1
    # Not before acceptance: a dispatched appeal is returned (退单), not transferred.
    dispatched = appeal_in(d, AppealStatus.DISPATCHED)
    with pytest.raises(IllegalTransition, match="不能申请转办"):
        _request(d, dispatched)


def test_no_transfer_while_a_community_holds_a_sub_task(district):
    """二级派单: the street recalls the sub-task (or waits for the report) before a transfer is
    asked for or approved."""
    d = district
    community = communities_build(d)[0]
    with time_machine.travel(at(3), tick=False):
        appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
        services.appeal_sub_dispatch(
            appeal_id=appeal.pk,
            actor=_actor(d, "handler"),
            expected_version=_v(appeal),
            sub_unit=community.pk,
            sub_due=at(5, 18),
        )
    with pytest.raises(IllegalTransition, match="尚未反馈：请先收回下派或等其反馈，再申请转办"):
        _request(d, appeal)
    other = appeal_in(d, AppealStatus.IN_PROGRESS)
    _request(d, other)
    services.appeal_sub_dispatch(
        appeal_id=other.pk,
        actor=_actor(d, "handler"),
        expected_version=_v(other),
        sub_unit=community.pk,
        sub_due=Appeal.objects.get(pk=other.pk).resolve_due,
    )
    with pytest.raises(IllegalTransition, match="再同意转办"):
        _approve(d, other, d.departments[1])
    assert Transfer.objects.get(appeal=other).status == TransferStatus.PENDING


def test_the_buttons_follow_the_pending_request(district):
    d = district
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    assert Action.REQUEST_TRANSFER in actions_available(user=d.user("handler"), appeal=appeal)
    assert Action.APPROVE_TRANSFER not in actions_available(
        user=d.user("dispatcher"), appeal=appeal
    )
    _request(d, appeal)
    appeal.refresh_from_db()
    assert Action.REQUEST_TRANSFER not in actions_available(user=d.user("handler"), appeal=appeal)
    shown = actions_available(user=d.user("dispatcher"), appeal=appeal)
    assert {Action.APPROVE_TRANSFER, Action.REFUSE_TRANSFER} <= set(shown)


# --- refused returns: the services --------------------------------------------------------------


def _return(d: District, appeal: Appeal) -> None:
    services.assignment_return(
        appeal_id=appeal.pk,
        actor=_actor(d, "handler"),
        expected_version=_v(appeal),
        reason="不属于本街道",
    )


def _refuse_return(d: District, appeal: Appeal, *, key: str = "dispatcher") -> Appeal:
    return services.return_refuse(
        appeal_id=appeal.pk,
        actor=_actor(d, key),
        expected_version=_v(appeal),
        reason="该小区在本街道辖区内，退单理由不成立",
    )


def test_a_refused_return_goes_back_to_the_unit_with_its_deadlines(district):
    d = district
    street, city = d.street_units[0], d.departments[0]
    appeal = _in(d, AppealStatus.DISPATCHED, at(3))  # Mon 03-03 10:00: due 03-17 18:00
    with time_machine.travel(at(3, 11), tick=False):
        _return(d, appeal)
    returned = Appeal.objects.get(pk=appeal.pk)
    assert returned.status == AppealStatus.RETURNED and returned.resolve_due is None
    with time_machine.travel(at(4), tick=False):
        back = _refuse_return(d, appeal)
    # The policy by default does not restart the clock: the deadlines it had come back.
    assert back.status == AppealStatus.DISPATCHED and back.lead_unit_id == street.pk
    assert back.dispatched_at == at(3)
    assert back.first_contact_due == at(4, 10, 30) and back.resolve_due == at(17, 18)
    active = Assignment.objects.filter(appeal=appeal, is_active=True)
    assert {(a.unit_id, a.role) for a in active} == {
        (street.pk, AssignmentRole.LEAD),
        (city.pk, AssignmentRole.ASSIST),
    }
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert (event.action, event.from_status, event.to_status) == (
        Action.REFUSE_RETURN,
        AppealStatus.RETURNED,
        AppealStatus.DISPATCHED,
    )
    assert event.payload["unit_id"] == street.pk and event.payload["restarts_clock"] is False
    assert appeal_visible_to(user=d.user("handler"), appeal_id=appeal.pk)
    told = Notification.objects.get(kind="appeal_transfer", recipient=d.user("handler"))
    assert told.title == f"退单被驳回：{appeal.tracking_number}"
    assert "退单理由不成立" in told.body


def test_a_policy_may_restart_the_clock_of_a_refused_return(district):
    d = district
    _policy(refused_return_restarts_clock=True)
    appeal = _in(d, AppealStatus.DISPATCHED, at(3))
    with time_machine.travel(at(3, 11), tick=False):
        _return(d, appeal)
    with time_machine.travel(at(4), tick=False):
        back = _refuse_return(d, appeal)
    # Tue 03-04 10:00 + 10 working days: Tue 03-18 18:00; + 8 working hours: Wed 03-05 10:30.
    assert back.dispatched_at == at(4)
    assert back.resolve_due == at(18, 18) and back.first_contact_due == at(5, 10, 30)


def test_what_is_refused_around_a_return(district):
    d = district
    appeal = appeal_in(d, AppealStatus.RETURNED)
    with pytest.raises(PermissionDenied, match="承办人不能驳回退单"):
        _refuse_return(d, appeal, key="handler")
    with pytest.raises(PermissionDenied, match="领导不能驳回退单"):
        _refuse_return(d, appeal, key="leader")
    with pytest.raises(ValidationFailed, match="请填写驳回理由"):
        services.return_refuse(
            appeal_id=appeal.pk,
            actor=_actor(d, "dispatcher"),
            expected_version=_v(appeal),
            reason="",
        )
    _refuse_return(d, appeal, key="supervisor")
    # Refused once, it is dispatched again: there is no return left to refuse.
    with pytest.raises(IllegalTransition, match="不能驳回退单"):
        _refuse_return(d, appeal)


# --- through the views -------------------------------------------------------------------------


def _post(client, appeal: Appeal, action: Action, **data):
    return client.post(
        reverse("cases:appeal_act", args=[appeal.pk, action.value]),
        {"version": _v(appeal), **data},
    )


def test_a_transfer_through_the_pages(client, district):
    d = district
    housing = d.departments[1]
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    detail = reverse("cases:appeal_detail", args=[appeal.pk])

    client.force_login(d.user("handler"))
    page = client.get(detail).content.decode()
    assert "<summary>申请转办</summary>" in page and 'name="suggested_unit_id"' in page
    response = _post(
        client,
        appeal,
        Action.REQUEST_TRANSFER,
        reason="属于住建部门职责",
        suggested_unit_id=housing.pk,
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "待审批转办" in page and "建议承办单位：A3区住房和城乡建设局" in page
    assert "<summary>申请转办</summary>" not in page
    # A second request while one is pending: a clear refusal, nothing recorded.
    again = _post(client, appeal, Action.REQUEST_TRANSFER, reason="再次申请")
    assert again.status_code == 400
    assert "已有待审批的转办申请" in again.content.decode()
    assert Transfer.objects.filter(appeal=appeal).count() == 1

    # Another unit's handler does not even see the appeal; the assisting unit may not ask.
    client.force_login(d.user("handler_other"))
    assert _post(client, appeal, Action.REQUEST_TRANSFER, reason="x").status_code == 404
    client.force_login(d.user("handler_dept"))
    refused = _post(client, appeal, Action.REQUEST_TRANSFER, reason="x")
    assert refused.status_code == 403 and "只有主办单位可以申请转办" in refused.content.decode()

    client.force_login(d.user("dispatcher"))
    queue = client.get(reverse("dispatch:screening") + "?tab=transfers").content.decode()
    assert "转办审批" in queue and appeal.tracking_number in queue and "属于住建部门职责" in queue
    page = client.get(detail).content.decode()
    assert 'name="lead_unit_id"' in page and "（申请单位建议）" in page
    missing = _post(client, appeal, Action.APPROVE_TRANSFER, reason="")
    assert missing.status_code == 400 and "请选择转办后的主办单位" in missing.content.decode()
    done = _post(client, appeal, Action.APPROVE_TRANSFER, lead_unit_id=housing.pk, reason="同意")
    assert done.status_code == 302
    moved = Appeal.objects.get(pk=appeal.pk)
    assert moved.status == AppealStatus.DISPATCHED and moved.lead_unit_id == housing.pk

    client.force_login(d.user("handler"))
    assert client.get(detail).status_code == 404  # no longer the street's


def test_a_refused_return_through_the_pages(client, district):
    d = district
    appeal = appeal_in(d, AppealStatus.RETURNED)
    detail = reverse("cases:appeal_detail", args=[appeal.pk])
    client.force_login(d.user("dispatcher"))
    queue = client.get(reverse("dispatch:screening") + "?tab=returned").content.decode()
    assert appeal.tracking_number in queue
    page = client.get(detail).content.decode()
    assert "<summary>驳回退单</summary>" in page
    blank = _post(client, appeal, Action.REFUSE_RETURN, reason="  ")
    assert blank.status_code == 400 and "请填写驳回理由" in blank.content.decode()
    done = _post(client, appeal, Action.REFUSE_RETURN, reason="属本街道辖区，退单理由不成立")
    assert done.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.DISPATCHED
    again = _post(client, appeal, Action.REFUSE_RETURN, reason="再次驳回")
    assert again.status_code == 409 and "不能驳回退单" in again.content.decode()

    # The street sees it again; the leader, who only reads, may not refuse a return.
    client.force_login(d.user("handler"))
    assert client.get(detail).status_code == 200
    other = appeal_in(d, AppealStatus.RETURNED)
    client.force_login(d.user("handler"))
    assert _post(client, other, Action.REFUSE_RETURN, reason="x").status_code == 404
    client.force_login(d.user("leader"))
    assert _post(client, other, Action.REFUSE_RETURN, reason="x").status_code == 403
