"""A topic from a resident's proposal to its close: support once per phone, a topic with
enough support cannot be declined, the meeting with its participants and minutes, decisions
that become an appeal, a candidate project and a note, followed through before the close.
Bad input changes nothing; another street's handler cannot act."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.deliberation.models import Decision, Participant, Topic, TopicEvent, TopicSupport
from minxin.deliberation.selectors import topic_page
from minxin.deliberation.services import (
    AlreadySupported,
    DecisionDraft,
    TopicDraft,
    decision_record,
    topic_close,
    topic_decline,
    topic_hold,
    topic_propose,
    topic_schedule,
    topic_support,
)
from minxin.deliberation.workflow import TopicStatus
from minxin.projects.models import Project
from minxin.projects.workflow import ProjectStatus
from tests.projects.builders import programme_new

from .builders import hashed, topic_new

pytestmark = pytest.mark.django_db


def _held(d, topic):
    h = d.user("handler")
    topic_schedule(
        actor=h,
        topic_id=topic.pk,
        meeting_at=timezone.now() + timedelta(days=3),
        place="景蓉社区党群服务中心",
    )
    return topic_hold(
        actor=h,
        topic_id=topic.pk,
        minutes="与会人员一致同意改建口袋公园，物业负责清运杂物。",
        participants={
            "residents": ["王秀兰", "李建华", ""],
            "committee": ["景蓉社区居委会"],
            "property": ["金桂物业"],
        },
    )


def test_support_once_per_phone_and_the_threshold_forces_a_meeting(district, settings):
    d = district
    settings.MINXIN_DELIBERATION_SUPPORT = 3
    topic = topic_new(d)
    assert (topic.unit_id, topic.status, topic.support_needed) == (
        d.street_units[0].pk,
        TopicStatus.PROPOSED,
        3,
    )
    for n in range(1, 4):
        assert topic_support(topic_id=topic.pk, phone_hash=hashed(n)) == n
    with pytest.raises(AlreadySupported):
        topic_support(topic_id=topic.pk, phone_hash=hashed(1))
    assert TopicSupport.objects.count() == 3
    assert topic_page(topic).must_schedule
    with pytest.raises(IllegalTransition, match="须安排议事"):
        topic_decline(actor=d.user("handler"), topic_id=topic.pk, reason="不属于社区事务")
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.PROPOSED
    # Below the threshold a topic may be declined, with its reason.
    other = topic_new(d, title="另一个议题")
    declined = topic_decline(actor=d.user("handler"), topic_id=other.pk, reason="已由物业整改")
    assert declined.status == TopicStatus.DECLINED
    with pytest.raises(IllegalTransition):
        topic_support(topic_id=other.pk, phone_hash=hashed(9))


def test_from_meeting_to_decisions_followed_through_and_closed(district):
    d = district
    topic = _held(d, topic_new(d))
    assert topic.status == TopicStatus.DELIBERATED and topic.minutes.startswith("与会人员")
    assert Participant.objects.filter(topic=topic).count() == 4
    h = d.user("handler")
    with pytest.raises(ValidationFailed, match="请先记录议定事项"):
        topic_close(actor=h, topic_id=topic.pk)
    note = decision_record(
        actor=h, topic_id=topic.pk, draft=DecisionDraft(text="物业三日内清运杂物", kind="note")
    )
    as_appeal = decision_record(
        actor=h,
        topic_id=topic.pk,
        draft=DecisionDraft(text="请城管部门拆除空地违章搭建", kind="appeal"),
    )
    programme = programme_new()
    with pytest.raises(PermissionDenied, match="督查室"):
        decision_record(
            actor=h,
            topic_id=topic.pk,
            draft=DecisionDraft(text="口袋公园建设", kind="project", programme_id=programme.pk),
        )
    as_project = decision_record(
        actor=d.user("supervisor"),
        topic_id=topic.pk,
        draft=DecisionDraft(text="口袋公园建设", kind="project", programme_id=programme.pk),
    )
    appeal = Appeal.objects.get(pk=as_appeal.appeal_id)
    assert appeal.channel == "visit" and appeal.region_id == topic.region_id
    assert "请城管部门拆除空地违章搭建" in appeal.content
    project = Project.objects.get(pk=as_project.project_id)
    assert project.status == ProjectStatus.CANDIDATE and project.lead_unit_id == topic.unit_id
    page = topic_page(Topic.objects.get(pk=topic.pk))
    assert [v.done for v in page.decisions] == [True, False, False]
    with pytest.raises(ValidationFailed, match="尚有2项议定事项未办结"):
        topic_close(actor=h, topic_id=topic.pk)
    # Test-only: the appeal answered, the project completed.
    Appeal.objects.filter(pk=appeal.pk).update(status=AppealStatus.RESOLVED)
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.COMPLETED)
    closed = topic_close(actor=h, topic_id=topic.pk)
    assert closed.status == TopicStatus.CLOSED and closed.closed_at
    actions = list(TopicEvent.objects.filter(topic=topic).values_list("action", flat=True))
    assert actions == ["propose", "schedule", "hold", "decide", "decide", "decide", "close"]
    assert note.position == 1 and Decision.objects.count() == 3


def test_bad_input_and_other_streets(district):
    d = district
    with pytest.raises(ValidationFailed, match="请先验证手机号"):
        topic_propose(draft=TopicDraft("议题", "说明", d.communities[0].pk))
    with pytest.raises(ValidationFailed, match="请选择议题所在的社区"):
        topic_propose(draft=TopicDraft("议题", "说明", d.district.pk), phone_hash=hashed(1))
    with pytest.raises(ValidationFailed, match="由望月湖街道办事处组织"):
        topic_propose(
            draft=TopicDraft("议题", "说明", d.communities[1].pk), actor=d.user("handler")
        )
    for n in range(3):
        topic_new(d, title=f"议题{n}")
    with pytest.raises(ValidationFailed, match="最多同时提出3个"):
        topic_new(d, title="第四个")
    topic = Topic.objects.first()
    with pytest.raises(PermissionDenied):
        topic_schedule(
            actor=d.user("handler_other"),
            topic_id=topic.pk,
            meeting_at=timezone.now() + timedelta(days=1),
            place="别处",
        )
    with pytest.raises(ValidationFailed, match="议事时间不能早于今天"):
        topic_schedule(
            actor=d.user("handler"),
            topic_id=topic.pk,
            meeting_at=timezone.now() - timedelta(days=3),
            place="社区",
        )
    with pytest.raises(IllegalTransition):
        decision_record(
            actor=d.user("handler"), topic_id=topic.pk, draft=DecisionDraft("x", "note")
        )
    with pytest.raises(NotFound):
        topic_support(topic_id=999999, phone_hash=hashed(1))
    held = _held(d, topic_new(d, by_resident=False, title="员工提出的议题"))
    with pytest.raises(ValidationFailed, match="请选择候选项目所属的年度计划"):
        decision_record(
            actor=d.user("supervisor"), topic_id=held.pk, draft=DecisionDraft("公园", "project")
        )
    scheduled = topic_schedule(
        actor=d.user("handler"),
        topic_id=topic_new(d, by_resident=False, title="待开会的议题").pk,
        meeting_at=timezone.now() + timedelta(days=1),
        place="社区",
    )
    with pytest.raises(ValidationFailed, match="请填写参会的居民代表"):
        topic_hold(actor=d.user("handler"), topic_id=scheduled.pk, minutes="x", participants={})
    assert Topic.objects.get(pk=scheduled.pk).status == TopicStatus.SCHEDULED
    assert not Participant.objects.filter(topic=scheduled).exists()
