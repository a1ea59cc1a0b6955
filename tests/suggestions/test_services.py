import re

import pytest

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal, AppealEvent, Channel
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import (
    ConcurrentEdit,
    IllegalTransition,
    PermissionDenied,
    ValidationFailed,
)
from minxin.suggestions import services
from minxin.suggestions.models import Suggestion, SuggestionEvent
from minxin.suggestions.workflow import (
    TRANSITIONS,
    AdoptionLevel,
    SuggestionAction,
    SuggestionStatus,
)

from .conftest import suggestion_new, under_review

ROLE_KEYS = {
    Role.CALL_TAKER: "call_taker",
    Role.DISPATCHER: "dispatcher",
    Role.HANDLER: "handler",
    Role.SUPERVISOR: "supervisor",
    Role.LEADER: "leader",
    Role.ADMIN: "admin",
}


# --- submit ------------------------------------------------------------------------------


def test_submit_gives_a_number_and_a_code_and_logs_one_event(db):
    s = suggestion_new()
    assert re.fullmatch(r"JY\d{8}\d{5}", s.tracking_number)
    assert re.fullmatch(r"[2-9A-Z]{6}", s.query_code)
    assert s.status == SuggestionStatus.SUBMITTED
    events = list(SuggestionEvent.objects.filter(suggestion=s))
    assert [(e.action, e.from_status, e.to_status, e.actor_role) for e in events] == [
        ("submit", "", "submitted", "citizen")
    ]
    second = suggestion_new(title="另一条建议")
    assert int(second.tracking_number[-5:]) == int(s.tracking_number[-5:]) + 1


def test_a_resubmitted_form_makes_one_suggestion(db):
    draft = services.SuggestionDraft(
        field="urban", title="增设垃圾分类亭", content="小区只有一个垃圾分类亭，建议再增设两个。"
    )
    first = services.suggestion_submit(actor=Actor.citizen(), draft=draft, submission_key="k" * 32)
    again = services.suggestion_submit(actor=Actor.citizen(), draft=draft, submission_key="k" * 32)
    assert first.created and not again.created
    assert again.suggestion.pk == first.suggestion.pk
    assert Suggestion.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"field": ""}, "请选择建议所属领域"),
        ({"field": "weather"}, "请选择建议所属领域"),
        ({"title": "  "}, "请填写建议标题"),
        ({"title": "长" * 101}, "标题不能超过100字"),
        ({"content": ""}, "请填写建议内容"),
        ({"content": "太短了"}, "建议内容请至少写10个字"),
        ({"content": "多" * 4001}, "建议内容不能超过4000字"),
        ({"proposer_phone": "12345"}, "联系电话格式不正确"),
        ({"proposer_name": "名" * 51}, "姓名或昵称不能超过50字"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_stores_nothing(db, overrides, message):
    with pytest.raises(ValidationFailed) as caught:
        suggestion_new(**overrides)
    assert message in caught.value.message
    assert Suggestion.objects.count() == 0
    assert SuggestionEvent.objects.count() == 0


def test_only_citizens_submit(district):
    with pytest.raises(PermissionDenied):
        services.suggestion_submit(
            actor=Actor.of(district.user("supervisor")),
            draft=services.SuggestionDraft(field="urban", title="标题", content="内容" * 10),
        )


def test_an_anonymous_suggestion_needs_no_contact(db, sms):
    s = suggestion_new(proposer_name="", proposer_phone="")
    assert s.proposer_phone == ""


# --- the table, role by role ---------------------------------------------------------------

CASES = [
    (action, role)
    for action in TRANSITIONS
    if action != SuggestionAction.SUBMIT
    for role in ROLE_KEYS
]


def _apply(action, *, suggestion, actor, district, reason="理由说明"):
    common = {
        "suggestion_id": suggestion.pk,
        "actor": actor,
        "expected_version": suggestion.version,
    }
    if action == SuggestionAction.REVIEW:
        return services.suggestion_review_start(**common)
    if action == SuggestionAction.FORWARD:
        return services.suggestion_forward(
            unit_id=district.departments[0].pk, reason=reason, **common
        )
    if action == SuggestionAction.DECLINE:
        return services.suggestion_decline(reason=reason, **common)
    return services.suggestion_adopt(action=action, reason=reason, **common)


@pytest.mark.parametrize(("action", "role"), CASES)
def test_each_action_for_each_role(district, action, role):
    """From its source status, an action either succeeds with exactly one event or is refused
    with a Chinese message and nothing changed."""
    transition = TRANSITIONS[action]
    s = (
        under_review(district)
        if SuggestionStatus.UNDER_REVIEW in transition.source
        else (suggestion_new())
    )
    before = SuggestionEvent.objects.filter(suggestion=s).count()
    actor = Actor.of(district.user(ROLE_KEYS[role]))
    if role in transition.roles:
        result = _apply(action, suggestion=s, actor=actor, district=district)
        assert result.status == transition.target
        assert result.adoption_level == (transition.level or "")
        assert result.version == s.version + 1
        events = list(SuggestionEvent.objects.filter(suggestion=s).order_by("id"))
        assert len(events) == before + 1
        last = events[-1]
        assert (last.action, last.from_status, last.to_status) == (
            action.value,
            s.status,
            transition.target,
        )
        assert last.actor == district.user(ROLE_KEYS[role])
    else:
        with pytest.raises(PermissionDenied) as caught:
            _apply(action, suggestion=s, actor=actor, district=district)
        assert f"不能{transition.label}" in caught.value.message
        assert Suggestion.objects.get(pk=s.pk).status == s.status
        assert SuggestionEvent.objects.filter(suggestion=s).count() == before
        assert not Appeal.objects.exists()


@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a not in (SuggestionAction.SUBMIT,)])
def test_no_action_after_a_decision(district, action):
    s = under_review(district)
    admin = Actor.of(district.user("admin"))
    done = services.suggestion_decline(
        suggestion_id=s.pk, actor=admin, expected_version=s.version, reason="已有同类规划"
    )
    with pytest.raises(IllegalTransition) as caught:
        _apply(action, suggestion=done, actor=admin, district=district)
    assert "建议当前状态为「未采纳」" in caught.value.message
    assert SuggestionEvent.objects.filter(suggestion=s).count() == 3


def test_adopting_needs_a_review_first(district):
    s = suggestion_new()
    with pytest.raises(IllegalTransition) as caught:
        services.suggestion_decline(
            suggestion_id=s.pk,
            actor=Actor.of(district.user("supervisor")),
            expected_version=s.version,
            reason="不合适",
        )
    assert caught.value.message == "建议当前状态为「待审核」，不能不予采纳"


@pytest.mark.parametrize(
    ("action", "label"),
    [(SuggestionAction.DECLINE, "不予采纳的理由"), (SuggestionAction.REPORT, "报送说明")],
)
def test_a_reason_is_required(district, action, label):
    s = under_review(district)
    with pytest.raises(ValidationFailed) as caught:
        _apply(
            action,
            suggestion=s,
            actor=Actor.of(district.user("supervisor")),
            district=district,
            reason="   ",
        )
    assert caught.value.message == f"请填写{label}"
    assert Suggestion.objects.get(pk=s.pk).status == SuggestionStatus.UNDER_REVIEW


def test_a_stale_version_is_refused(district):
    s = under_review(district)
    with pytest.raises(ConcurrentEdit) as caught:
        services.suggestion_decline(
            suggestion_id=s.pk,
            actor=Actor.of(district.user("supervisor")),
            expected_version=s.version - 1,
            reason="理由",
        )
    assert "请刷新后重试" in caught.value.message


# --- outcomes and what the proposer is told ------------------------------------------------


def test_decline_records_the_reason_and_texts_the_proposer(
    district, sms, django_capture_on_commit_callbacks
):
    s = under_review(district)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.suggestion_decline(
            suggestion_id=s.pk,
            actor=Actor.of(district.user("supervisor")),
            expected_version=s.version,
            reason="该路段已列入明年改造计划",
        )
    assert done.status == SuggestionStatus.DECLINED
    assert done.decision == "该路段已列入明年改造计划"
    assert done.decided_at is not None
    assert len(sms) == 1
    phone, text = sms[0]
    assert phone == "13912345678"
    assert s.tracking_number in text and "暂未采纳" in text and "明年改造计划" in text


def test_starting_a_review_sends_no_sms(district, sms, django_capture_on_commit_callbacks):
    s = suggestion_new()
    with django_capture_on_commit_callbacks(execute=True):
        services.suggestion_review_start(
            suggestion_id=s.pk,
            actor=Actor.of(district.user("supervisor")),
            expected_version=s.version,
        )
    assert sms == []


def test_no_phone_no_sms(district, sms, django_capture_on_commit_callbacks):
    s = under_review(district, proposer_phone="")
    with django_capture_on_commit_callbacks(execute=True):
        services.suggestion_adopt(
            suggestion_id=s.pk,
            action=SuggestionAction.REPORT,
            actor=Actor.of(district.user("supervisor")),
            expected_version=s.version,
            reason="报送市交通运输局研究",
        )
    assert sms == []


@pytest.mark.parametrize(
    ("action", "key", "level", "words"),
    [
        (SuggestionAction.REPORT, "supervisor", AdoptionLevel.REPORTED, "报送市级"),
        (SuggestionAction.ENDORSE, "leader", AdoptionLevel.ENDORSED, "领导批示"),
    ],
)
def test_adoption_at_a_level(
    district, sms, django_capture_on_commit_callbacks, action, key, level, words
):
    s = under_review(district)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.suggestion_adopt(
            suggestion_id=s.pk,
            action=action,
            actor=Actor.of(district.user(key)),
            expected_version=s.version,
            reason="很好的建议，请交通部门研究",
        )
    assert (done.status, done.adoption_level) == (SuggestionStatus.ADOPTED, level)
    assert done.appeal is None
    assert len(sms) == 1 and "已被采纳" in sms[0][1] and words in sms[0][1]


def test_forward_makes_a_suggestion_appeal_linked_to_it(
    district, sms, django_capture_on_commit_callbacks
):
    s = under_review(district)
    unit = district.departments[0]
    with django_capture_on_commit_callbacks(execute=True):
        done = services.suggestion_forward(
            suggestion_id=s.pk,
            actor=Actor.of(district.user("supervisor")),
            expected_version=s.version,
            unit_id=unit.pk,
            reason="请在开学前落实",
        )
    assert (done.status, done.adoption_level) == ("adopted", "forwarded")
    assert done.forward_unit == unit
    appeal = done.appeal
    assert appeal is not None
    assert appeal.channel == Channel.SUGGESTION
    assert appeal.kind == "suggestion"
    assert appeal.status == AppealStatus.RECEIVED  # in the dispatcher's screening queue
    assert appeal.title == s.title
    assert s.content in appeal.content and unit.name in appeal.content
    assert appeal.appellant_phone == "13912345678"
    assert AppealEvent.objects.filter(appeal=appeal, action="receive").count() == 1
    event = SuggestionEvent.objects.filter(suggestion=s, action="forward").get()
    assert event.payload == {"unit": unit.name, "appeal": appeal.tracking_number}
    # The outcome, and the appeal's receipt with its own tracking number and query code.
    outcome, receipt = sorted(sms, key=lambda m: "采纳" not in m[1])
    assert len(sms) == 2 and unit.name in outcome[1]
    assert appeal.tracking_number in receipt[1] and appeal.query_code in receipt[1]


def test_forward_needs_a_handling_unit_and_stores_nothing_without_one(district):
    s = under_review(district)
    supervisor = Actor.of(district.user("supervisor"))
    for unit_id in (None, 999_999, district.hotline.pk):
        with pytest.raises(ValidationFailed) as caught:
            services.suggestion_forward(
                suggestion_id=s.pk, actor=supervisor, expected_version=s.version, unit_id=unit_id
            )
        assert caught.value.message == "请选择承办的职能部门或街道"
    assert not Appeal.objects.exists()
    assert Suggestion.objects.get(pk=s.pk).status == SuggestionStatus.UNDER_REVIEW


def test_forward_twice_makes_one_appeal(district):
    s = under_review(district)
    supervisor = Actor.of(district.user("supervisor"))
    services.suggestion_forward(
        suggestion_id=s.pk,
        actor=supervisor,
        expected_version=s.version,
        unit_id=district.departments[0].pk,
    )
    with pytest.raises(IllegalTransition):
        services.suggestion_forward(
            suggestion_id=s.pk,
            actor=supervisor,
            expected_version=None,
            unit_id=district.departments[0].pk,
        )
    assert Appeal.objects.count() == 1


def test_history_is_append_only_on_postgresql(district):
    from django.db import DatabaseError, connection, transaction

    s = under_review(district)
    event = SuggestionEvent.objects.filter(suggestion=s).first()
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    with pytest.raises(DatabaseError), transaction.atomic():
        SuggestionEvent.objects.filter(pk=event.pk).update(reason="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        SuggestionEvent.objects.filter(pk=event.pk).delete()
    assert SuggestionEvent.objects.filter(suggestion=s).count() == 2
