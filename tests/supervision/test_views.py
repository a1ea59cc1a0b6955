"""Supervision order screens: who sees and does what, bad input refused with a Chinese message
and nothing stored, answering, escalation shown, and the appeal page's merged timeline."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.workflow import AppealStatus
from minxin.jointhandling.services import Part, joint_visit_record
from minxin.supervision.models import Clock, DeadlineWarning, SupervisionOrder, WarningLevel
from minxin.supervision.services import (
    supervision_order_answer,
    supervision_order_issue,
    supervision_orders_escalate,
)
from minxin.supervision.workflow import OrderStatus
from tests.builders import District, appeal_in

ORDERS = reverse("supervision:order_list")
NEW_UNIT_ORDER = reverse("supervision:order_issue")


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def local_input(delta: timedelta) -> str:
    """A datetime-local field's value, `delta` from now."""
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def order_on(d: District, appeal_id: int, content: str = "请三日内完成清运并反馈", **kw):
    return supervision_order_issue(
        actor=d.user("supervisor"),
        appeal_id=appeal_id,
        content=content,
        due_at=timezone.now() + timedelta(days=2),
        **kw,
    )


def order_on_unit(d: District, unit_index: int = 1, content: str = "本月超期件集中整改"):
    return supervision_order_issue(
        actor=d.user("leader"),
        unit_id=d.street_units[unit_index].pk,
        content=content,
        due_at=timezone.now() + timedelta(days=2),
    )


def list_ids(response) -> list[int]:
    return [row["order"].pk for row in response.context["rows"]]


# --- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["supervisor", "leader", "admin", "handler"])
def test_the_list_opens_for_supervision_and_handlers(district: District, key: str):
    response = client_for(district, key).get(ORDERS)
    assert response.status_code == 200
    assert "督办单" in response.content.decode()


@pytest.mark.parametrize("key", ["dispatcher", "call_taker"])
def test_the_list_is_404_for_the_hotline_centre(district: District, key: str):
    order = order_on_unit(district)
    client = client_for(district, key)
    assert client.get(ORDERS).status_code == 404
    assert client.get(reverse("supervision:order_detail", args=[order.pk])).status_code == 404


def test_anonymous_users_go_to_login(district: District):
    response = Client().get(ORDERS)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_nav_has_one_entry_for_the_right_roles(district: District):
    for key in ("supervisor", "leader", "admin", "handler", "dispatcher", "call_taker"):
        body = client_for(district, key).get(reverse("cases:home"), follow=True).content.decode()
        entries = body.count(f'href="{ORDERS}"')
        assert entries == (1 if key in ("supervisor", "leader", "admin", "handler") else 0), key


def test_a_handler_sees_only_its_units_orders_everywhere(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    mine = order_on(district, appeal.pk)
    other = order_on_unit(district, 1, content="望月湖街道专项督办")
    handler = client_for(district, "handler")
    response = handler.get(ORDERS)
    assert list_ids(response) == [mine.pk]
    assert "望月湖街道专项督办" not in response.content.decode()
    assert handler.get(reverse("supervision:order_detail", args=[other.pk])).status_code == 404
    assert handler.get(reverse("supervision:order_detail", args=[99999])).status_code == 404
    refused = handler.post(
        reverse("supervision:order_answer", args=[other.pk]), {"answer": "越权答复"}
    )
    assert refused.status_code == 404
    assert SupervisionOrder.objects.get(pk=other.pk).status == OrderStatus.OPEN
    # Supervisors see both.
    assert set(list_ids(client_for(district, "supervisor").get(ORDERS))) == {mine.pk, other.pk}


def test_the_list_filters_by_state_and_unit_and_paginates(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    answered = order_on(district, appeal.pk)
    supervision_order_answer(actor=district.user("handler"), order_id=answered.pk, answer="已办")
    late = order_on(district, appeal.pk)
    SupervisionOrder.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    escalated = order_on_unit(district, 1)
    SupervisionOrder.objects.filter(pk=escalated.pk).update(
        due_at=timezone.now() - timedelta(hours=2)
    )
    supervision_orders_escalate()  # both late ones go to their unit head
    waiting = order_on_unit(district, 1)
    client = client_for(district, "supervisor")

    def ids(**params: object) -> set[int]:
        return set(list_ids(client.get(ORDERS, params)))

    assert ids(state="answered") == {answered.pk}
    assert ids(state="open") == {late.pk, escalated.pk, waiting.pk}
    assert ids(state="overdue") == {late.pk, escalated.pk}
    assert ids(state="escalated") == {late.pk, escalated.pk}
    assert ids(unit=district.street_units[1].pk) == {escalated.pk, waiting.pk}
    assert ids(state="bogus") == {answered.pk, late.pk, escalated.pk, waiting.pk}

    for i in range(26):
        order_on_unit(district, 0, content=f"批量督办{i}")
    first = client.get(ORDERS, {"unit": district.street_units[0].pk})
    assert len(first.context["rows"]) == 25
    second = client.get(ORDERS, {"unit": district.street_units[0].pk, "page": 2})
    assert len(second.context["rows"]) == 3  # 26 + answered + late
    assert f"?unit={district.street_units[0].pk}&page=2" in first.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(district: District, django_assert_max_num_queries):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    for _ in range(10):
        order_on(district, appeal.pk)
    client = client_for(district, "supervisor")
    with django_assert_max_num_queries(12):
        assert client.get(ORDERS).status_code == 200


# --- issuing ----------------------------------------------------------------------------------


def test_a_supervisor_issues_an_order_on_an_appeal_from_its_page(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    url = reverse("supervision:appeal_order_issue", args=[appeal.pk])
    response = client_for(district, "supervisor").post(
        url, {"content": "  请三日内清运  ", "due_at": local_input(timedelta(days=3)), "unit": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:appeal_detail", args=[appeal.pk])
    order = SupervisionOrder.objects.get()
    assert (order.appeal_id, order.unit_id, order.content) == (
        appeal.pk,
        district.street_units[0].pk,
        "请三日内清运",
    )
    assert list(order.events.values_list("action", flat=True)) == ["issue"]


def test_an_order_on_an_appeal_may_go_to_an_assisting_unit(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    url = reverse("supervision:appeal_order_issue", args=[appeal.pk])
    client_for(district, "leader").post(
        url,
        {
            "content": "协办单位配合清运",
            "due_at": local_input(timedelta(days=1)),
            "unit": district.departments[0].pk,
        },
    )
    assert SupervisionOrder.objects.get().unit_id == district.departments[0].pk


def test_a_leader_issues_an_order_on_a_unit(district: District):
    client = client_for(district, "leader")
    page = client.get(NEW_UNIT_ORDER)
    assert page.status_code == 200
    assert district.departments[1].name in page.content.decode()
    response = client.post(
        NEW_UNIT_ORDER,
        {
            "content": "本月超期件集中整改",
            "due_at": local_input(timedelta(days=5)),
            "unit": district.departments[1].pk,
        },
    )
    order = SupervisionOrder.objects.get()
    assert response["Location"] == reverse("supervision:order_detail", args=[order.pk])
    assert (order.appeal_id, order.unit_id) == (None, district.departments[1].pk)


@pytest.mark.parametrize("key", ["handler", "dispatcher", "call_taker", "admin"])
def test_only_supervisors_and_leaders_may_issue(district: District, key: str):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    client = client_for(district, key)
    data = {"content": "整改", "due_at": local_input(timedelta(days=1))}
    assert client.get(NEW_UNIT_ORDER).status_code == 404
    url = reverse("supervision:appeal_order_issue", args=[appeal.pk])
    assert client.post(url, data).status_code == 404
    assert not SupervisionOrder.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"content": "整改", "due_at": "PAST"}, "答复期限应晚于当前时间"),
        ({"content": "   ", "due_at": "FUTURE"}, "请填写督办事项"),
        ({"content": "整改", "due_at": ""}, "请填写答复期限"),
        ({"content": "整改", "due_at": "明天下午"}, "答复期限格式有误"),
        ({"content": "整改", "due_at": "FAR"}, "答复期限不能晚于一年以后"),
        ({"content": "x" * 2001, "due_at": "FUTURE"}, "督办事项不能超过2000字"),
        ({"content": "整改", "due_at": "FUTURE", "unit": "99999"}, "所选督办单位不存在"),
        ({"content": "整改", "due_at": "FUTURE", "unit": "abc"}, "所选督办单位不存在"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(
    district: District, data: dict[str, str], message: str
):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    due = {
        "PAST": local_input(-timedelta(hours=1)),
        "FUTURE": local_input(timedelta(days=1)),
        "FAR": local_input(timedelta(days=400)),
    }
    data = {**data, "due_at": due.get(data["due_at"], data["due_at"])}
    url = reverse("supervision:appeal_order_issue", args=[appeal.pk])
    response = client_for(district, "supervisor").post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'role="alert"' in body
    # What was typed is kept (a long text is kept whole).
    if data["content"].strip():
        assert data["content"] in body
    assert not SupervisionOrder.objects.exists()


def test_a_unit_order_needs_a_unit(district: District):
    response = client_for(district, "supervisor").post(
        NEW_UNIT_ORDER, {"content": "整改", "due_at": local_input(timedelta(days=1))}
    )
    assert response.status_code == 400
    assert "请选择督办单位" in response.content.decode()
    assert not SupervisionOrder.objects.exists()


def test_an_undispatched_appeal_needs_a_unit_chosen(district: District):
    appeal = appeal_in(district, AppealStatus.RECEIVED)
    url = reverse("supervision:appeal_order_issue", args=[appeal.pk])
    response = client_for(district, "supervisor").post(
        url, {"content": "尽快派单", "due_at": local_input(timedelta(days=1))}
    )
    assert response.status_code == 400
    assert "请选择督办单位" in response.content.decode()
    assert "尚未派单" in response.content.decode()


def test_issuing_on_a_missing_appeal_is_404(district: District):
    url = reverse("supervision:appeal_order_issue", args=[99999])
    response = client_for(district, "supervisor").post(
        url, {"content": "整改", "due_at": local_input(timedelta(days=1))}
    )
    assert response.status_code == 404
    assert not SupervisionOrder.objects.exists()


def test_issuing_needs_csrf(district: District):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district.user("supervisor"))
    response = client.post(
        NEW_UNIT_ORDER,
        {
            "content": "整改",
            "due_at": local_input(timedelta(days=1)),
            "unit": district.departments[0].pk,
        },
    )
    assert response.status_code == 403
    assert not SupervisionOrder.objects.exists()


def test_html_in_an_order_and_its_answer_is_escaped_everywhere(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    script = "<script>alert('x')</script><b>粗</b>"
    order = order_on(district, appeal.pk, content=script)
    supervision_order_answer(actor=district.user("handler"), order_id=order.pk, answer=script)
    supervisor = client_for(district, "supervisor")
    pages = [
        supervisor.get(ORDERS),
        supervisor.get(reverse("supervision:order_detail", args=[order.pk])),
        supervisor.get(reverse("supervision:appeal_panel", args=[appeal.pk])),
    ]
    for response in pages:
        body = response.content.decode()
        assert "<script>alert" not in body
        assert "<b>粗</b>" not in body
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body


# --- answering --------------------------------------------------------------------------------


def test_the_handler_answers_from_the_list_and_the_supervisor_sees_it(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    order = order_on(district, appeal.pk)
    handler = client_for(district, "handler")
    listing = handler.get(ORDERS).content.decode()
    assert reverse("supervision:order_answer", args=[order.pk]) in listing
    response = handler.post(
        reverse("supervision:order_answer", args=[order.pk]),
        {"answer": "已于今日清运完毕", "back": "list"},
    )
    assert response.status_code == 302
    assert response["Location"] == ORDERS
    order.refresh_from_db()
    assert (order.status, order.answer, order.answered_by_id) == (
        OrderStatus.ANSWERED,
        "已于今日清运完毕",
        district.user("handler").pk,
    )
    detail = client_for(district, "supervisor").get(
        reverse("supervision:order_detail", args=[order.pk])
    )
    body = detail.content.decode()
    assert "已于今日清运完毕" in body
    assert detail.context["state"].code == "answered"
    assert [e.action for e in detail.context["history"]] == ["issue", "answer"]
    # No answer form once answered, nor for supervisors.
    assert 'name="answer"' not in body
    again = handler.post(
        reverse("supervision:order_answer", args=[order.pk]), {"answer": "再答一次"}
    )
    assert again.status_code == 400
    assert "该督办单已答复" in again.content.decode()
    order.refresh_from_db()
    assert order.answer == "已于今日清运完毕"


@pytest.mark.parametrize(
    ("answer", "message"), [("   ", "请填写答复内容"), ("x" * 2001, "答复内容不能超过2000字")]
)
def test_a_bad_answer_is_refused_and_nothing_changes(district: District, answer: str, message):
    order = order_on_unit(district, 0)
    response = client_for(district, "handler").post(
        reverse("supervision:order_answer", args=[order.pk]), {"answer": answer}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.answer) == (OrderStatus.OPEN, "")
    assert list(order.events.values_list("action", flat=True)) == ["issue"]


def test_a_supervisor_cannot_answer(district: District):
    order = order_on_unit(district, 0)
    response = client_for(district, "supervisor").post(
        reverse("supervision:order_answer", args=[order.pk]), {"answer": "代答"}
    )
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_answering_is_post_only(district: District):
    order = order_on_unit(district, 0)
    url = reverse("supervision:order_answer", args=[order.pk])
    assert client_for(district, "handler").get(url).status_code == 405


def test_the_escalated_state_is_shown(district: District):
    User.objects.create_user(
        username="head", role=Role.HANDLER, unit=district.street_units[0], is_unit_head=True
    )
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    order = order_on(district, appeal.pk)
    supervision_orders_escalate(now=order.due_at + timedelta(minutes=1))
    supervision_orders_escalate(now=order.due_at + timedelta(hours=25))
    supervisor = client_for(district, "supervisor")
    detail = supervisor.get(reverse("supervision:order_detail", args=[order.pk]))
    body = detail.content.decode()
    assert "逾期未答复·已报领导" in body
    assert [e.action for e in detail.context["history"]] == [
        "issue",
        "escalate_unit_head",
        "escalate_leader",
    ]
    assert "已报区领导" in body
    listing = supervisor.get(ORDERS).content.decode()
    assert 'data-state="escalated"' in listing
    panel = supervisor.get(reverse("supervision:appeal_panel", args=[appeal.pk])).content.decode()
    assert 'data-action="escalate_leader"' in panel
    assert "逾期未答复·已报领导" in panel


# --- the appeal page --------------------------------------------------------------------------


def test_the_appeal_page_loads_the_supervision_fragment(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    body = (
        client_for(district, "handler")
        .get(reverse("cases:appeal_detail", args=[appeal.pk]))
        .content.decode()
    )
    panel_url = reverse("supervision:appeal_panel", args=[appeal.pk])
    assert f'hx-get="{panel_url}"' in body
    assert 'hx-trigger="load"' in body
    # Without script the appeal's own events are still there.
    assert 'data-action="accept"' in body


def test_the_fragment_merges_events_orders_and_warnings_by_time(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    order = order_on(district, appeal.pk)
    with time_machine.travel(order.issued_at + timedelta(seconds=2), tick=False):
        supervision_order_answer(actor=district.user("handler"), order_id=order.pk, answer="已清运")
    DeadlineWarning.objects.create(
        appeal=appeal,
        clock=Clock.RESOLVE,
        level=WarningLevel.YELLOW,
        due=timezone.now() + timedelta(days=1),
        share_used=0.8,
        run="00000000-0000-0000-0000-000000000001",
        created_at=order.issued_at + timedelta(seconds=1),
    )
    response = client_for(district, "supervisor").get(
        reverse("supervision:appeal_panel", args=[appeal.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    kinds = re.findall(r'data-kind="(\w+)" data-action="(\w+)"', body)
    assert kinds[-2:] == [("order", "issue"), ("order", "answer")]
    assert kinds[0] == ("event", "receive")
    times = [e.at for e in response.context["entries"]]
    assert times == sorted(times)
    assert [e.kind for e in response.context["entries"]][-3:] == ["order", "warning", "order"]
    assert 'data-level="yellow"' in body
    assert "黄色预警（临期）" in body and "办结时限" in body and "80%" in body
    assert "已清运" in body
    assert 'data-action="supervision_order"' in body  # the issue form
    assert 'name="csrfmiddlewaretoken"' in body


def test_the_fragment_is_scoped_like_the_appeal_page(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    order_on(district, appeal.pk)
    other_units = order_on(district, appeal.pk, unit_id=district.departments[1].pk)
    url = reverse("supervision:appeal_panel", args=[appeal.pk])
    assert client_for(district, "handler_other").get(url).status_code == 404
    assert (
        client_for(district, "handler_other")
        .get(reverse("cases:appeal_detail", args=[appeal.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(district, "handler")
        .get(reverse("supervision:appeal_panel", args=[99999]))
        .status_code
        == 404
    )
    # The lead unit's handler sees the appeal, their own order, no issue form, and not the
    # order addressed to another unit.
    mine = client_for(district, "handler").get(url)
    assert mine.status_code == 200
    body = mine.content.decode()
    assert 'data-action="supervision_order"' not in body
    assert f'data-order="{other_units.pk}"' not in body
    assert body.count('data-kind="order"') == 1
    # The dispatcher sees the appeal (and its warnings) but no orders, as in the order list.
    dispatcher = client_for(district, "dispatcher").get(url)
    assert dispatcher.status_code == 200
    assert 'data-action="supervision_order"' not in dispatcher.content.decode()
    assert 'data-kind="order"' not in dispatcher.content.decode()
    assert (
        client_for(district, "supervisor").get(url).content.decode().count('data-kind="order"') == 2
    )


def test_the_fragment_runs_a_fixed_number_of_queries(
    district: District, django_assert_max_num_queries
):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    for _ in range(8):
        order = order_on(district, appeal.pk)
        supervision_order_answer(actor=district.user("handler"), order_id=order.pk, answer="好")
    for _ in range(3):  # joint visits are on the timeline too: two queries for any number
        joint_visit_record(
            actor=district.user("handler"),
            appeal_id=appeal.pk,
            held_at=timezone.now() - timedelta(hours=1),
            place="景蓉华苑",
            outcome="已处置",
            parts=[
                Part(district.street_units[0].pk, "王主任", "调解"),
                Part(district.departments[0].pk, "李队长", "拆除"),
            ],
        )
    client = client_for(district, "supervisor")
    url = reverse("supervision:appeal_panel", args=[appeal.pk])
    with django_assert_max_num_queries(13):  # 12, and the viewer's district
        assert client.get(url).status_code == 200
