"""联合处置: several units on the spot at once for one appeal, recorded by its lead unit (or
the centre), at least two units each once, every unit told; refused input keeps nothing; the
appeal page's panel shows it, escaped, to those who see the appeal."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases.models import AppealEvent
from minxin.cases.services import appeal_act
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.jointhandling.models import JointVisit, JointVisitPart
from minxin.jointhandling.selectors import reply_draft, visits_of
from minxin.jointhandling.services import Part, joint_visit_record
from minxin.notify.models import Notification
from tests.builders import District, appeal_in


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def parts(d: District) -> list[Part]:
    return [
        Part(d.street_units[0].pk, "王主任等2人", "入户调解，约定整改时限"),
        Part(d.departments[0].pk, "执法队李队长", "现场拆除违规搭建的雨棚"),
    ]


def record(d: District, appeal_id: int, key: str = "handler", **overrides: object) -> JointVisit:
    values: dict[str, object] = {
        "held_at": timezone.now() - timedelta(hours=3),
        "place": "景蓉华苑3栋楼下",
        "outcome": "雨棚已拆除，噪音源已关停，双方签订调解协议",
        "parts": parts(d),
    }
    values.update(overrides)
    return joint_visit_record(actor=d.user(key), appeal_id=appeal_id, **values)  # type: ignore[arg-type]


def test_the_lead_unit_records_a_joint_visit_and_every_unit_is_told(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    visit = record(district, appeal.pk)
    assert visit.parts.count() == 2
    told = Notification.objects.filter(kind="joint_visit")
    assert set(told.values_list("recipient__username", flat=True)) == {"handler", "handler_dept"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"place": " "}, "请填写地点"),
        ({"outcome": ""}, "请填写共同处置结果"),
        ({"held_at": None}, "请填写处置时间"),
        ({"held_at": timezone.now() + timedelta(days=2)}, "不能晚于现在"),
        ({"parts": [Part(None, "x", "y"), Part(None, "a", "b")]}, "请为每一行选择单位"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_kept(district, overrides, message):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    with pytest.raises(ValidationFailed, match=message):
        record(district, appeal.pk, **overrides)
    assert (JointVisit.objects.count(), JointVisitPart.objects.count()) == (0, 0)


def test_two_units_each_once_an_open_appeal_and_the_right_people(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    one = parts(district)[:1]
    with pytest.raises(ValidationFailed, match="至少需要两个单位"):
        record(district, appeal.pk, parts=one)
    with pytest.raises(ValidationFailed, match="同一单位只能填写一行"):
        record(district, appeal.pk, parts=one + one)
    with pytest.raises(PermissionDenied):
        record(district, appeal.pk, key="handler_dept")  # an assisting unit, not the lead
    with pytest.raises(NotFound):
        record(district, appeal.pk, key="handler_other")
    closed = appeal_in(district, AppealStatus.RESOLVED)
    with pytest.raises(ValidationFailed, match="不在办理中"):
        record(district, closed.pk)
    record(district, appeal.pk, key="dispatcher")
    assert JointVisit.objects.count() == 1


def test_the_appeal_pages_panel(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    handler = Client()
    handler.force_login(district.user("handler"))
    panel = reverse("jointhandling:appeal_panel", args=[appeal.pk])
    assert 'data-action="joint_visit"' in handler.get(panel).content.decode()
    held = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = handler.post(
        reverse("jointhandling:visit_record", args=[appeal.pk]),
        {
            "held_at": held,
            "place": "<b>楼下</b>",
            "outcome": "已处置",
            "unit_0": district.street_units[0].pk,
            "people_0": "王主任",
            "did_0": "调解",
            "unit_1": district.departments[0].pk,
            "people_1": "李队长",
            "did_1": "拆除",
        },
    )
    assert response.status_code == 302
    page = handler.get(panel).content.decode()
    assert "&lt;b&gt;楼下&lt;/b&gt;" in page and "李队长" in page
    refused = handler.post(
        reverse("jointhandling:visit_record", args=[appeal.pk]),
        {"held_at": held, "place": "小区门口", "outcome": "已处置", "people_0": "张三"},
    )
    assert refused.status_code == 400 and JointVisit.objects.count() == 1
    body = refused.content.decode()
    assert "至少需要两个单位" in body and 'value="小区门口"' in body and 'value="张三"' in body
    other = Client()
    other.force_login(district.user("handler_other"))
    assert other.get(panel).status_code == 404


def test_the_visit_is_drafted_into_the_one_reply_for_the_lead_unit_only(district):
    """联合处置 ends in one reply: the lead unit, which replies, is offered the visit drafted —
    each unit that came and what it did, what they settled; the assisting unit, which does not
    reply, is not."""
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    visit = joint_visit_record(
        actor=district.user("handler"),
        appeal_id=appeal.pk,
        held_at=timezone.now() - timedelta(hours=1),
        place="景蓉社区3栋",
        outcome="雨棚已拆除，双方签订调解协议。",
        parts=[
            Part(district.street_units[0].pk, "王主任", "入户调解，约定整改时限。"),
            Part(district.departments[0].pk, "李队长", "现场拆除违规雨棚"),
        ],
    )
    draft = reply_draft(visits_of(appeal.pk).get(pk=visit.pk))
    assert "桂花坪街道办事处、A3区城市管理局联合到现场处置" in draft
    assert "桂花坪街道办事处入户调解，约定整改时限；A3区城市管理局现场拆除违规雨棚。" in draft
    assert "雨棚已拆除，双方签订调解协议。" in draft
    assert "王主任" not in draft and "李队长" not in draft  # no person's name to the citizen
    panel = reverse("jointhandling:appeal_panel", args=[appeal.pk])
    lead, assist = Client(), Client()
    lead.force_login(district.user("handler"))
    assist.force_login(district.user("handler_dept"))
    assert "data-draft-reply" in lead.get(panel).content.decode()
    assert "调解协议" in assist.get(panel).content.decode()
    assert "data-draft-reply" not in assist.get(panel).content.decode()


def test_the_visit_is_on_the_appeals_timeline_for_those_who_see_the_appeal(district):
    """办理记录 shows each joint visit at the time it was held, among the appeal's events —
    who recorded it, the units that came and what each did, what they settled — read-only and
    with personal data masked; the appeal's own history gains no event; another street's
    handler, who cannot see the appeal, gets 404."""
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    events = AppealEvent.objects.filter(appeal=appeal).count()
    record(
        district,
        appeal.pk,
        held_at=timezone.now() - timedelta(days=1),
        place="<b>景蓉华苑</b>3栋楼下",
        outcome="雨棚已拆除，已电话告知诉求人13812345678",
    )
    assert AppealEvent.objects.filter(appeal=appeal).count() == events
    appeal_act(  # a note after the visit: the timeline puts the visit between the two
        appeal_id=appeal.pk,
        action=Action.NOTE,
        actor=Actor.of(district.user("handler")),
        expected_version=None,
        reason="已回访诉求人",
    )
    timeline = reverse("supervision:appeal_panel", args=[appeal.pk])
    for key in ("handler", "handler_dept", "supervisor", "leader"):
        page = client_for(district, key).get(timeline).content.decode()
        assert page.count('data-kind="joint_visit"') == 1, key
        before, after = page.split('data-kind="joint_visit"')
        assert 'data-kind="event"' in before and "已回访诉求人" in after
        row = after.split("</li>")[0]
        assert "handler 记录于" in row and "2个单位到场" in row
        assert "桂花坪街道办事处（王主任等2人）：入户调解，约定整改时限" in row
        assert "A3区城市管理局（执法队李队长）：现场拆除违规搭建的雨棚" in row
        assert "&lt;b&gt;景蓉华苑&lt;/b&gt;" in row and "<b>" not in row
        assert "13812345678" not in page and "共同处置结果：雨棚已拆除" in row
    assert client_for(district, "handler_other").get(timeline).status_code == 404
    later = appeal_in(district, AppealStatus.IN_PROGRESS)
    page = client_for(district, "handler").get(reverse("supervision:appeal_panel", args=[later.pk]))
    assert 'data-kind="joint_visit"' not in page.content.decode()
