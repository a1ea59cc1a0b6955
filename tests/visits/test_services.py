from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases.models import Appeal, AppealEvent, Channel
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import PermissionDenied, ValidationFailed
from minxin.visits import services
from minxin.visits.models import Visit, VisitMatter

from .conftest import MATTERS, visit_draft, visit_record


def test_each_matter_becomes_a_visit_appeal_linked_to_the_visit(district):
    recorded = visit_record(district)
    visit = recorded.visit
    assert recorded.created
    assert visit.unit == district.street_units[0]  # the recorder's unit
    assert visit.recorded_by == district.user("handler")
    assert list(visit.participants.all()) == [district.user("handler")]
    matters = list(VisitMatter.objects.filter(visit=visit).order_by("position"))
    assert [m.position for m in matters] == [1, 2]
    first, second = (m.appeal for m in matters)
    assert first.channel == second.channel == Channel.VISIT
    assert first.status == AppealStatus.RECEIVED  # in the dispatcher's screening queue
    assert (first.title, first.kind) == ("3栋楼道灯坏了两个月", "help")
    assert first.place_text == "景蓉华苑小区" and first.region == district.communities[0]
    assert first.appellant_phone == "13612345678" and not first.is_anonymous
    assert second.is_anonymous and second.appellant_phone == ""
    assert AppealEvent.objects.filter(appeal__in=[first, second], action="receive").count() == 2


def test_a_double_submit_records_once(district):
    key = "a" * 32
    first = visit_record(district, submission_key=key)
    again = visit_record(district, submission_key=key)
    assert first.created and not again.created
    assert again.visit.pk == first.visit.pk
    assert Visit.objects.count() == 1
    assert Appeal.objects.count() == 2
    assert VisitMatter.objects.count() == 2


def test_a_retry_after_a_failure_half_way_completes_without_duplicates(district):
    key = "b" * 32
    real = services.appeal_receive
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    with mock.patch.object(services, "appeal_receive", flaky), pytest.raises(RuntimeError):
        visit_record(district, submission_key=key)
    assert VisitMatter.objects.count() == 1
    visit_record(district, submission_key=key)
    assert Visit.objects.count() == 1
    assert VisitMatter.objects.count() == 2
    assert Appeal.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"place_text": " "}, "请填写走访地点"),
        ({"place_text": "地" * 201}, "走访地点不能超过200字"),
        ({"visited_at": None}, "请填写走访时间"),
        ({"visited_at": timezone.now() + timedelta(days=1)}, "走访时间不能晚于现在"),
        ({"visited_at": timezone.now() - timedelta(days=400)}, "走访时间不能早于一年前"),
        ({"met_text": ""}, "请填写走访对象"),
        ({"participant_ids": (), "participants_text": ""}, "请选择或填写走访人员"),
        ({"participant_ids": (999_999,)}, "走访人员中有无效的工作人员"),
        ({"region_id": 999_999}, "所选区域不存在"),
    ],
)
def test_bad_visit_input_stores_nothing(district, overrides, message):
    with pytest.raises(ValidationFailed) as caught:
        visit_record(district, **overrides)
    assert message in caught.value.message
    assert not Visit.objects.exists() and not Appeal.objects.exists()


def test_a_bad_matter_is_named_and_nothing_is_stored(district):
    matters = [
        MATTERS[0],
        services.MatterDraft(title="", content="没有标题的事项"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        visit_record(district, matters=matters)
    assert caught.value.message == "第2项事项：请填写诉求标题"
    bad_phone = [services.MatterDraft(title="标题", content="内容", raiser_phone="123")]
    with pytest.raises(ValidationFailed) as caught:
        visit_record(district, matters=bad_phone)
    assert caught.value.message.startswith("第1项事项：联系电话格式不正确")
    assert not Visit.objects.exists() and not Appeal.objects.exists()


def test_at_least_one_matter_and_at_most_twenty(district):
    with pytest.raises(ValidationFailed) as caught:
        visit_record(district, matters=[])
    assert caught.value.message == "请至少记录一项群众反映的事项"
    many = [services.MatterDraft(title=f"事项{n}", content="内容") for n in range(21)]
    with pytest.raises(ValidationFailed):
        visit_record(district, matters=many)
    assert not Visit.objects.exists() and not Appeal.objects.exists()


@pytest.mark.parametrize(
    "key", ["call_taker", "dispatcher", "handler", "supervisor", "leader", "admin"]
)
def test_every_staff_role_may_record(district, key):
    visit = visit_record(district, key=key).visit
    assert visit.unit == district.user(key).unit


def test_citizens_and_staff_without_a_unit_may_not(district):
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=Actor.citizen(), draft=visit_draft(district), matters=MATTERS)
    handler = district.user("handler")
    handler.unit = None
    handler.save()
    with pytest.raises(PermissionDenied) as caught:
        visit_record(district)
    assert "尚未归属任何单位" in caught.value.message
    assert not Visit.objects.exists()
