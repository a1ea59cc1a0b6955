"""事项清单: a department's items graded 急/难, worked by that department only, appeals linked
by staff from suggestions, closed only with evidence and the volume check recorded, taken in
charge by a leader whose instructions become supervision orders, and warned near and past
their deadline."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.issuelists.models import IssueItem, IssueList, ItemAppeal
from minxin.issuelists.selectors import appeals_suggested, items_listed, lists_ranked
from minxin.issuelists.services import (
    issue_item_act,
    issue_item_instruct,
    issue_item_link,
    issue_item_take_charge,
    issue_items_warn,
    item_volume,
)
from minxin.issuelists.workflow import ItemAction, ItemStatus
from minxin.notify.models import NoticePreference, Notification
from minxin.supervision.models import SupervisionOrder
from minxin.supervision.services import supervision_order_issue, supervision_orders_escalate
from tests.builders import District, appeal_new

from .builders import item_new

TZ = ZoneInfo(settings.TIME_ZONE)
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)


def at(days: float) -> time_machine.travel:
    return time_machine.travel(MONDAY + timedelta(days=days), tick=False)


def act(d: District, item: IssueItem, key: str, action: ItemAction, reason: str = "") -> IssueItem:
    return issue_item_act(actor=d.user(key), item_id=item.pk, action=action, reason=reason)


def test_an_item_is_worked_closed_with_evidence_and_its_check_recorded(district):
    with at(0):
        item = item_new(district, at=MONDAY)
    assert (item.status, item.grade, item.issue_list.year) == (ItemStatus.OPEN, "急难", 2025)
    with at(10):
        act(district, item, "handler_dept", ItemAction.NOTE, "已完成8个小区设施配置")
    with at(20), pytest.raises(ValidationFailed, match="请填写办结情况与佐证"):
        act(district, item, "handler_dept", ItemAction.REQUEST_CLOSE, " ")
    with at(40):
        item = act(district, item, "handler_dept", ItemAction.REQUEST_CLOSE, "20个小区已补齐")
    assert (item.status, item.evidence) == (ItemStatus.CLOSING, "20个小区已补齐")
    assert set(
        Notification.objects.filter(kind="issue_item").values_list("recipient__username", flat=True)
    ) >= {"supervisor"}
    with at(41), pytest.raises(PermissionDenied):
        act(district, item, "handler_dept", ItemAction.CLOSE, "同意")  # the office closes
    with at(41):
        item = act(district, item, "supervisor", ItemAction.SEND_BACK, "请补充现场照片说明")
    assert (item.status, item.evidence) == (ItemStatus.OPEN, "")
    with at(45):
        act(district, item, "handler_dept", ItemAction.REQUEST_CLOSE, "已补充照片")
        item = act(district, item, "supervisor", ItemAction.CLOSE, "同意销号")
    assert item.status == ItemStatus.CLOSED and item.closed_at == MONDAY + timedelta(days=45)
    actions = list(item.events.values_list("action", flat=True))
    assert actions == [
        "create",
        "note",
        "request_close",
        "send_back",
        "request_close",
        "close",
    ]
    close = item.events.get(action="close")
    assert set(close.payload["check"]) >= {"before", "after", "observed_days"}
    with at(46), pytest.raises(IllegalTransition):
        act(district, item, "handler_dept", ItemAction.NOTE, "x")


def test_only_the_lists_unit_works_it(district):
    item = item_new(district)
    with pytest.raises(NotFound):
        act(district, item, "handler", ItemAction.NOTE, "不是本单位的事项")
    with pytest.raises(PermissionDenied):
        act(district, item, "call_taker", ItemAction.NOTE, "x")
    with pytest.raises(PermissionDenied, match="只能维护本单位"):
        item_new(district, key="handler")  # a street's handler on the department's list
    assert list(items_listed(district.user("handler"))) == []
    assert list(items_listed(district.user("handler_dept"))) == [item]
    assert item.events.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": " "}, "请填写事项名称"),
        ({"goal": ""}, "请填写工作目标"),
        ({"responsible": ""}, "请填写责任人"),
        ({"deadline": datetime(2020, 1, 1).date()}, "完成时限不能早于今天"),
        ({"deadline": datetime(2099, 1, 1).date()}, "不能晚于三年以后"),
        ({"urgency": "very"}, "急、难分级有误"),
        ({"category_ids": [999999]}, "所选诉求分类不存在"),
        ({"region_ids": [999999]}, "所选区域不存在"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(district, overrides, message):
    with pytest.raises(ValidationFailed, match=message):
        item_new(district, **overrides)
    assert (IssueItem.objects.count(), IssueList.objects.count()) == (0, 0)


def test_appeals_are_suggested_by_matter_place_and_words_and_linked_by_staff(district):
    item = item_new(district, key="supervisor")
    about = appeal_new(
        district,
        title="小区垃圾分类桶不够",
        content="景蓉华苑垃圾分类桶太少，垃圾堆在外面",
        category_id=district.category.pk,
        region_id=district.communities[0].pk,
    )
    elsewhere = appeal_new(
        district,
        title="小区垃圾分类桶不够",
        category_id=district.category.pk,
        region_id=district.communities[1].pk,
    )
    supervisor = district.user("supervisor")
    suggested = [row["pk"] for row, _ in appeals_suggested(item, supervisor)]
    assert about.pk in suggested and elsewhere.pk not in suggested
    assert issue_item_link(actor=supervisor, item_id=item.pk, appeal_ids=[about.pk]) == 1
    with pytest.raises(ValidationFailed, match="已关联"):
        issue_item_link(actor=supervisor, item_id=item.pk, appeal_ids=[about.pk])
    with pytest.raises(NotFound):  # the department's handler cannot see the street's appeal
        issue_item_link(
            actor=district.user("handler_dept"), item_id=item.pk, appeal_ids=[elsewhere.pk]
        )
    assert list(ItemAppeal.objects.values_list("appeal_id", flat=True)) == [about.pk]
    assert about.pk not in [row["pk"] for row, _ in appeals_suggested(item, supervisor)]
    link = item.events.get(action="link_appeal")
    assert link.payload == {"appeals": [about.tracking_number]}


def test_the_volume_check_compares_before_listing_with_the_latest_days(district):
    here = district.communities[0]
    for days in (-25, -20, -10, -5):
        with at(days):
            appeal_new(district, category_id=district.category.pk, region_id=here.pk)
    with at(0):
        item = item_new(district, at=MONDAY)
    with at(50):
        appeal_new(district, category_id=district.category.pk, region_id=here.pk)
    volume = item_volume(item, now=MONDAY + timedelta(days=60))
    assert (volume.before, volume.after, volume.observed_days) == (4, 1, 30)
    assert volume.change == pytest.approx(-0.75)


def test_a_leader_takes_charge_and_instructs_through_a_supervision_order(district):
    item = item_new(district)
    leader = district.user("leader")
    with pytest.raises(PermissionDenied):
        issue_item_take_charge(actor=district.user("supervisor"), item_id=item.pk)
    item = issue_item_take_charge(actor=leader, item_id=item.pk)
    assert item.leader == leader
    with pytest.raises(ValidationFailed, match="已包案"):
        issue_item_take_charge(actor=leader, item_id=item.pk)
    due = MONDAY.replace(year=2100)
    with pytest.raises(ValidationFailed, match="请填写批示内容"):
        issue_item_instruct(
            actor=leader, item_id=item.pk, instruction=" ", unit_id=None, due_at=due
        )
    assert SupervisionOrder.objects.count() == 0
    with time_machine.travel(datetime(2099, 12, 1, tzinfo=TZ), tick=False):
        item = issue_item_instruct(
            actor=leader,
            item_id=item.pk,
            instruction="请城管局牵头，会同街道本月内拿出方案",
            unit_id=None,
            due_at=due,
        )
    order = SupervisionOrder.objects.get()
    assert order.unit_id == district.departments[0].pk
    assert "领导批示" in order.content and order.about_link.endswith(f"/items/{item.pk}/")
    event = item.events.get(action="instruct")
    assert event.payload["order"] == order.pk and event.reason.startswith("请城管局牵头")


def test_the_items_leader_hears_when_an_instructions_order_escalates(
    district, django_capture_on_commit_callbacks
):
    """The first escalation (the unit head) reaches the item's leader too, as it does a led
    appeal's, by the leader's own choice of mail or SMS; another leader hears only of the
    second, which goes to every leader."""
    leader = district.user("leader")
    leader.email = "leader@example.org"
    leader.save()
    NoticePreference.objects.create(user=leader, by_email=True, by_sms=False)
    other = User.objects.create_user(
        username="leader_other", password="pw", role=Role.LEADER, display_name="leader_other"
    )
    item = item_new(district)
    issue_item_take_charge(actor=leader, item_id=item.pk)
    due = timezone.now() + timedelta(days=2)
    issue_item_instruct(
        actor=leader, item_id=item.pk, instruction="请本周拿出方案", unit_id=None, due_at=due
    )
    order = SupervisionOrder.objects.get()
    unrelated = supervision_order_issue(
        actor=district.user("supervisor"),
        content="请答复",
        due_at=due,
        unit_id=district.departments[0].pk,
        about="别的事项",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert supervision_orders_escalate(now=due + timedelta(minutes=1)) == 2
    told = Notification.objects.filter(kind="supervision_escalation", recipient=leader)
    assert [n.link for n in told] == [order.about_link]  # the item's order only
    assert not Notification.objects.filter(recipient=other).exists()
    assert [m.to for m in mail.outbox] == [["leader@example.org"]]
    assert f"督办单{order.pk}" in mail.outbox[0].subject and unrelated.pk != order.pk
    assert supervision_orders_escalate(now=due + timedelta(hours=25)) == 2
    assert Notification.objects.filter(recipient=other).count() == 2


def test_items_near_and_past_their_deadline_warn_once_each(district):
    with at(0):
        item = item_new(district, at=MONDAY, deadline=(MONDAY + timedelta(days=10)).date())
        issue_item_take_charge(actor=district.user("leader"), item_id=item.pk)
    assert issue_items_warn(now=MONDAY) == 0
    assert issue_items_warn(now=MONDAY + timedelta(days=4)) == 1  # 6 days left
    assert issue_items_warn(now=MONDAY + timedelta(days=5)) == 0
    assert issue_items_warn(now=MONDAY + timedelta(days=11)) == 1  # past
    assert issue_items_warn(now=MONDAY + timedelta(days=12)) == 0
    warned = Notification.objects.filter(kind="issue_item", title__contains="时限")
    assert set(warned.values_list("recipient__username", flat=True)) == {"handler_dept", "leader"}


def test_the_office_ranks_the_units_lists(district):
    with at(0):
        late = item_new(district, at=MONDAY, deadline=(MONDAY + timedelta(days=3)).date())
        item_new(
            district,
            key="supervisor",
            at=MONDAY,
            title="街道背街小巷照明不足",
        )
    # The second department's list: one item, closed on time.
    from minxin.issuelists.services import ItemDraft, issue_item_add

    with at(0):
        other = issue_item_add(
            actor=district.user("supervisor"),
            unit_id=district.departments[1].pk,
            year=2025,
            draft=ItemDraft(
                "加装电梯审批慢",
                "审批压缩到30个工作日",
                (MONDAY + timedelta(days=30)).date(),
                "王科长",
            ),
            at=MONDAY,
        )
    with at(5):
        act(district, other, "supervisor", ItemAction.REQUEST_CLOSE, "已压缩")
        act(district, other, "supervisor", ItemAction.CLOSE, "同意")
    ranks = lists_ranked(year=2025, today=(MONDAY + timedelta(days=10)).date())
    assert [r.unit.pk for r in ranks] == [district.departments[1].pk, district.departments[0].pk]
    first, second = ranks
    assert (first.closed, first.closed_on_time, first.overdue) == (1, 1, 0)
    assert (second.items, second.urgent_or_hard, second.overdue) == (2, 2, 1)
    assert late.pk


@pytest.mark.django_db
def test_the_demo_seeds_two_departments_lists_in_every_state():
    from minxin.demo.seed import seed_demo

    report = seed_demo(appeals=600, seed=5)
    assert report.issue_items == 10
    assert IssueList.objects.count() == 2
    statuses = set(IssueItem.objects.values_list("status", flat=True))
    assert statuses == set(ItemStatus)
    led = IssueItem.objects.filter(leader__isnull=False).first()
    assert led is not None and IssueItem.objects.filter(leader__isnull=False).count() == 2
    assert led.events.filter(action="instruct").exists()
    assert SupervisionOrder.objects.filter(about_link__contains=f"/items/{led.pk}/").exists()
    assert ItemAppeal.objects.exists()
    assert lists_ranked(year=led.issue_list.year)[0].items == 5
