"""工作专班: set up by the office with a lead unit, members, a leader and a scope; meetings whose
decisions are supervision orders to members (in the meeting's transaction: a refused decision
leaves no meeting and no order); members see the task force and its appeals, others do not;
closed with a summary; every step an event."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.supervision.models import SupervisionOrder
from minxin.taskforces.models import Meeting, TaskForce
from minxin.taskforces.selectors import task_forces_for
from minxin.taskforces.services import (
    DecisionDraft,
    MeetingDraft,
    Scope,
    task_force_add_members,
    task_force_add_scope,
    task_force_close,
    task_force_meeting,
    task_force_set_up,
)
from minxin.taskforces.workflow import TaskForceStatus
from tests.builders import District, appeal_in
from tests.issuelists.builders import item_new


def set_up(d: District, **overrides: object) -> TaskForce:
    values: dict[str, object] = {
        "name": "老旧小区物业管理纠纷专班",
        "purpose": "二十个小区物业纠纷反复，协调街道、住建和城管共同化解",
        "lead_unit_id": d.departments[1].pk,
        "member_ids": [d.street_units[0].pk, d.departments[0].pk],
        "leader_id": d.user("leader").pk,
    }
    values.update(overrides)
    return task_force_set_up(actor=d.user("supervisor"), **values)  # type: ignore[arg-type]


def meeting(d: District, force: TaskForce, *decisions: DecisionDraft) -> Meeting:
    return task_force_meeting(
        actor=d.user("supervisor"),
        task_force_id=force.pk,
        draft=MeetingDraft(
            held_at=timezone.now() - timedelta(hours=2),
            attendees="住建局、城管局、桂花坪街道",
            minutes="通报各小区纠纷情况，明确分工",
            place="区政府3楼会议室",
            decisions=decisions,
        ),
    )


def test_a_task_force_is_set_up_with_its_scope_and_members_see_it(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    item = item_new(district)
    force = set_up(
        district, scope=Scope(item_ids=[item.pk], tracking_numbers=[appeal.tracking_number])
    )
    assert list(force.appeals.all()) == [appeal] and list(force.items.all()) == [item]
    assert force.events.get().action == "set_up"
    assert set(task_forces_for(district.user("handler"))) == {force}  # street 0 is a member
    assert set(task_forces_for(district.user("handler_other"))) == set()
    with pytest.raises(PermissionDenied):
        task_force_set_up(
            actor=district.user("handler"),
            name="x",
            purpose="y",
            lead_unit_id=district.street_units[0].pk,
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": " "}, "请填写专班名称"),
        ({"purpose": ""}, "请填写工作任务"),
        ({"lead_unit_id": None}, "请选择牵头单位"),
        ({"member_ids": [999999]}, "所选单位不存在"),
        ({"leader_id": 999999}, "牵头领导须为区领导账号"),
        ({"scope": Scope(tracking_numbers=["NOPE"])}, "未找到受理编号为NOPE"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(district, overrides, message):
    with pytest.raises((ValidationFailed, NotFound), match=message):
        set_up(district, **overrides)
    assert TaskForce.objects.count() == 0


def test_a_meetings_decisions_are_orders_to_members_and_a_bad_one_keeps_nothing(district):
    force = set_up(district)
    due = timezone.now() + timedelta(days=7)
    with pytest.raises(ValidationFailed, match="须为专班成员单位"):
        meeting(
            district,
            force,
            DecisionDraft("住建局牵头制定物业考核办法", district.departments[1].pk, due),
            DecisionDraft("不是成员的街道", district.street_units[1].pk, due),
        )
    assert (Meeting.objects.count(), SupervisionOrder.objects.count()) == (0, 0)
    assert force.events.count() == 1
    record = meeting(
        district,
        force,
        DecisionDraft("住建局牵头制定物业考核办法", district.departments[1].pk, due),
        DecisionDraft("桂花坪街道逐小区排查纠纷", district.street_units[0].pk, due),
    )
    orders = list(SupervisionOrder.objects.order_by("pk"))
    assert [o.unit_id for o in orders] == [district.departments[1].pk, district.street_units[0].pk]
    assert all(o.about_link.endswith(f"/taskforces/{force.pk}/") for o in orders)
    assert record.decisions.count() == 2
    assert force.events.last().payload["orders"] == [o.pk for o in orders]


def test_the_lead_unit_widens_the_scope_the_office_adds_members_and_closes(district):
    force = set_up(district, lead_unit_id=district.street_units[0].pk, member_ids=[])
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    task_force_add_scope(
        actor=district.user("handler"),
        task_force_id=force.pk,
        scope=Scope(tracking_numbers=[appeal.tracking_number]),
    )
    with pytest.raises(ValidationFailed, match="已在专班范围"):
        task_force_add_scope(
            actor=district.user("handler"),
            task_force_id=force.pk,
            scope=Scope(tracking_numbers=[appeal.tracking_number]),
        )
    with pytest.raises(NotFound):
        task_force_add_scope(
            actor=district.user("handler_other"), task_force_id=force.pk, scope=Scope(item_ids=[1])
        )
    with pytest.raises(PermissionDenied):
        task_force_add_members(
            actor=district.user("handler"),
            task_force_id=force.pk,
            unit_ids=[district.departments[0].pk],
        )
    task_force_add_members(
        actor=district.user("leader"), task_force_id=force.pk, unit_ids=[district.departments[0].pk]
    )
    with pytest.raises(ValidationFailed, match="请填写工作总结"):
        task_force_close(actor=district.user("supervisor"), task_force_id=force.pk, summary=" ")
    force = task_force_close(
        actor=district.user("supervisor"), task_force_id=force.pk, summary="纠纷全部化解"
    )
    assert force.status == TaskForceStatus.CLOSED and force.closed_at is not None
    with pytest.raises(IllegalTransition):
        meeting(district, force)
    assert list(force.events.values_list("action", flat=True)) == [
        "set_up",
        "add_scope",
        "add_member",
        "close",
    ]


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def test_the_screens(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    office = client_for(district, "supervisor")
    refused = office.post(
        reverse("taskforces:task_force_new"),
        {"name": "<b>专班</b>", "purpose": "", "lead_unit": district.departments[1].pk},
    )
    assert refused.status_code == 400 and "请填写工作任务" in refused.content.decode()
    response = office.post(
        reverse("taskforces:task_force_new"),
        {
            "name": "<b>专班</b>",
            "purpose": "协调化解",
            "lead_unit": district.departments[1].pk,
            "members": [district.street_units[0].pk],
            "appeals": appeal.tracking_number,
        },
    )
    force = TaskForce.objects.get()
    detail = reverse("taskforces:task_force_detail", args=[force.pk])
    assert response.status_code == 302 and response["Location"] == detail
    page = office.get(detail).content.decode()
    assert "&lt;b&gt;专班&lt;/b&gt;" in page and "<b>专班</b>" not in page
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    held = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = office.post(
        reverse("taskforces:meeting_record", args=[force.pk]),
        {
            "held_at": held,
            "attendees": "住建局、桂花坪街道",
            "minutes": "明确分工",
            "decision_0": "街道逐户走访",
            "decision_0_unit": district.street_units[0].pk,
            "decision_0_due": due,
        },
    )
    assert response.status_code == 302
    member = client_for(district, "handler")
    page = member.get(detail).content.decode()
    assert appeal.tracking_number in page and "街道逐户走访" in page
    assert '<details open data-action="meeting">' not in page  # the office records them
    assert client_for(district, "handler_other").get(detail).status_code == 404
    assert (
        client_for(district, "call_taker").get(reverse("taskforces:task_force_list")).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_demo_seeds_a_task_force_with_meetings_and_orders():
    from minxin.demo.seed import seed_demo

    report = seed_demo(appeals=600, seed=5)
    assert report.task_forces == 1
    force = TaskForce.objects.get()
    assert force.members.count() >= 1 and force.items.exists() and force.leader is not None
    assert force.meetings.count() == 2
    orders = SupervisionOrder.objects.filter(about_link__endswith=f"/taskforces/{force.pk}/")
    assert orders.count() == 3 and orders.filter(answered_at__isnull=False).count() == 1
    from minxin.jointhandling.models import JointVisit
    from minxin.supervision.models import LeaderCase

    case = LeaderCase.objects.get()
    assert force.appeals.filter(pk=case.appeal_id).exists()
    assert JointVisit.objects.get().appeal_id == case.appeal_id


def test_members_see_their_task_forces_beside_their_queue_and_led_appeals_are_marked(district):
    from minxin.supervision.services import appeal_take_charge

    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    force = set_up(district, scope=Scope(tracking_numbers=[appeal.tracking_number]))
    member = client_for(district, "handler")
    panel = member.get(reverse("taskforces:queue_panel")).content.decode()
    assert force.name in panel and "在办诉求 1 件" in panel
    assert (
        reverse("taskforces:queue_panel")
        in member.get(reverse("cases:unit_queue")).content.decode()
    )
    assert (
        "data-queue-task-forces"
        not in client_for(district, "handler_other")
        .get(reverse("taskforces:queue_panel"))
        .content.decode()
    )
    assert "data-led" not in member.get(reverse("cases:unit_queue")).content.decode()
    appeal_take_charge(actor=district.user("leader"), appeal_id=appeal.pk)
    assert "data-led" in member.get(reverse("cases:unit_queue")).content.decode()
    office = client_for(district, "supervisor")
    assert "data-led" in office.get(reverse("cases:appeal_list")).content.decode()


def test_the_shared_timeline_holds_the_decisions_answers_and_escalations(district):
    """One timeline: the task force's steps, then what became of each decision — its order
    answered by the member, or escalated — naming the member, in time order; the page shows it."""
    from minxin.supervision.services import supervision_order_answer, supervision_orders_escalate
    from minxin.taskforces.selectors import task_force_timeline

    force = set_up(district)
    soon = timezone.now() + timedelta(hours=1)
    meeting(
        district,
        force,
        DecisionDraft("桂花坪街道逐小区排查纠纷", district.street_units[0].pk, soon),
        DecisionDraft("城管局清理违规搭建", district.departments[0].pk, soon),
    )
    street_order, dept_order = SupervisionOrder.objects.order_by("pk")
    supervision_order_answer(
        actor=district.user("handler"), order_id=street_order.pk, answer="已排查28户"
    )
    assert supervision_orders_escalate(now=timezone.now() + timedelta(days=3)) >= 1
    timeline = task_force_timeline(force)
    assert [e["action"] for e in timeline[:2]] == ["set_up", "meeting"]
    later = [(e["action"], e["unit"], e["order"]) for e in timeline[2:]]
    assert later[0] == ("answer", district.street_units[0], street_order.pk)
    assert later[1][1:] == (district.departments[0], dept_order.pk)
    assert later[1][0].startswith("escalate")
    assert "issue" not in [e["action"] for e in timeline]
    client = Client()
    client.force_login(district.user("handler"))
    html = client.get(reverse("taskforces:task_force_detail", args=[force.pk])).content.decode()
    assert f'data-order-event="{street_order.pk}"' in html and "已排查28户" in html


def test_the_leader_hears_when_a_decisions_order_escalates(
    district, django_capture_on_commit_callbacks
):
    """The first escalation (to the unit head) reaches the task force's leader too, as it does
    an item's leader; a leader of no task force hears only of the second, which goes to all."""
    from minxin.accounts.models import Role, User
    from minxin.notify.models import Notification
    from minxin.supervision.services import supervision_orders_escalate

    other = User.objects.create_user(
        username="leader_other", password="pw", role=Role.LEADER, display_name="leader_other"
    )
    force = set_up(district)
    due = timezone.now() + timedelta(hours=1)
    meeting(district, force, DecisionDraft("城管局清理违规搭建", district.departments[0].pk, due))
    order = SupervisionOrder.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert supervision_orders_escalate(now=due + timedelta(minutes=1)) == 1
    told = Notification.objects.filter(
        kind="supervision_escalation", recipient=district.user("leader")
    )
    assert [n.link for n in told] == [order.about_link]
    assert not Notification.objects.filter(recipient=other).exists()
