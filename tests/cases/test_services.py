"""The services with more to them than one row of the table: dispatch and return, extensions,
suspension, the reply, rating and reopening, closing, archiving, merging, idempotent intake,
and the cost of the lists."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks.base import TaskResultStatus

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    Extension,
    ExtensionStatus,
    Reply,
)
from minxin.cases.selectors import appeal_get_for, screening_queue
from minxin.cases.tasks import archive_unrated_appeals_task
from minxin.cases.workflow import Action, AppealStatus, Satisfaction
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.deadlines import calendar
from minxin.deadlines.models import Urgency
from minxin.deadlines.services import deadlines_for
from minxin.feedback.models import Rating
from minxin.feedback.services import rating_submit
from tests.builders import appeal_in, appeal_new

TZ = ZoneInfo(settings.TIME_ZONE)
# A plain working week on the statutory calendar: 2025-03-06 is a Thursday, 03-08/09 a weekend.
THURSDAY = datetime(2025, 3, 6, 10, 0, tzinfo=TZ)
FRIDAY = datetime(2025, 3, 7, 10, 0, tzinfo=TZ)
MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=TZ)


def actor(district, key: str) -> Actor:
    return Actor.of(district.user(key))


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def events(appeal: Appeal) -> list[AppealEvent]:
    return list(AppealEvent.objects.filter(appeal=appeal).order_by("id"))


def active(appeal: Appeal) -> set[tuple[int, str]]:
    return set(
        Assignment.objects.filter(appeal=appeal, is_active=True).values_list("unit_id", "role")
    )


# --- dispatch and return --------------------------------------------------------------------


def test_dispatch_gives_one_lead_the_assisting_units_and_the_policy_deadlines(district):
    lead = district.street_units[0]
    dept0, dept1 = district.departments
    with time_machine.travel(THURSDAY, tick=False):
        appeal = appeal_in(district, AppealStatus.SCREENED)
        dispatched = services.appeal_dispatch(
            appeal_id=appeal.pk,
            actor=actor(district, "dispatcher"),
            expected_version=appeal.version,
            lead_unit_id=lead.pk,
            assist_unit_ids=[dept0.pk, dept1.pk, lead.pk, dept0.pk],  # lead and repeats dropped
        )
    assert dispatched.status == AppealStatus.DISPATCHED
    assert dispatched.lead_unit_id == lead.pk
    assert active(appeal) == {
        (lead.pk, AssignmentRole.LEAD),
        (dept0.pk, AssignmentRole.ASSIST),
        (dept1.pk, AssignmentRole.ASSIST),
    }
    due = deadlines_for(category=district.category, urgency=Urgency.NORMAL, start=THURSDAY)
    assert dispatched.dispatched_at == THURSDAY
    assert dispatched.first_contact_due == due.first_contact_due
    assert dispatched.resolve_due == due.resolve_due
    assert THURSDAY < due.first_contact_due < due.resolve_due
    event = events(appeal)[-1]
    assert event.action == Action.DISPATCH
    assert event.payload["lead_unit"] == lead.name
    assert sorted(event.payload["assist_units"]) == sorted([dept0.name, dept1.name])
    assert datetime.fromisoformat(event.payload["resolve_due"]) == due.resolve_due


def test_dispatch_refuses_an_unknown_or_inactive_unit(district):
    appeal = appeal_in(district, AppealStatus.SCREENED)
    district.departments[1].is_active = False
    district.departments[1].save()
    for lead, assist in ((987654, []), (district.departments[1].pk, [])):
        with pytest.raises(ValidationFailed):
            services.appeal_dispatch(
                appeal_id=appeal.pk,
                actor=actor(district, "dispatcher"),
                expected_version=appeal.version,
                lead_unit_id=lead,
                assist_unit_ids=assist,
            )
    with pytest.raises(ValidationFailed):
        services.appeal_dispatch(
            appeal_id=appeal.pk,
            actor=actor(district, "dispatcher"),
            expected_version=appeal.version,
            lead_unit_id=district.street_units[0].pk,
            assist_unit_ids=[district.departments[1].pk],
        )
    assert fresh(appeal).status == AppealStatus.SCREENED
    assert not Assignment.objects.filter(appeal=appeal).exists()


def test_return_clears_the_lead_and_the_unit_loses_sight_of_the_appeal(district):
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    handler, assisting = district.user("handler"), district.user("handler_dept")
    assert appeal_get_for(user=handler, appeal_id=appeal.pk) == appeal
    assert appeal_get_for(user=assisting, appeal_id=appeal.pk) == appeal
    with pytest.raises(PermissionDenied):  # only the lead unit sends it back
        services.assignment_return(
            appeal_id=appeal.pk,
            actor=Actor.of(assisting),
            expected_version=appeal.version,
            reason="不归我们管",
        )
    returned = services.assignment_return(
        appeal_id=appeal.pk,
        actor=Actor.of(handler),
        expected_version=appeal.version,
        reason="不属于本街道辖区",
    )
    assert returned.status == AppealStatus.RETURNED
    assert returned.lead_unit_id is None
    assert returned.first_contact_due is None and returned.resolve_due is None
    assert active(appeal) == set()
    ended = Assignment.objects.filter(appeal=appeal)
    assert all(a.ended_at is not None and a.end_reason.startswith("退单：") for a in ended)
    for user in (handler, assisting):
        with pytest.raises(NotFound):
            appeal_get_for(user=user, appeal_id=appeal.pk)
    assert appeal_get_for(user=district.user("dispatcher"), appeal_id=appeal.pk) == appeal
    assert appeal in screening_queue(user=district.user("dispatcher"), returned=True)
    # The return keeps the deadlines the unit had: a refused return may give them back.
    assert events(appeal)[-1].payload == {
        "unit_id": district.street_units[0].pk,
        "first_contact_due": appeal.first_contact_due.isoformat(),
        "resolve_due": appeal.resolve_due.isoformat(),
    }


def test_redispatch_after_return_starts_a_fresh_set_of_assignments(district):
    appeal = appeal_in(district, AppealStatus.RETURNED)
    old = set(Assignment.objects.filter(appeal=appeal).values_list("pk", flat=True))
    assert old
    street1, dept1 = district.street_units[1], district.departments[1]
    with time_machine.travel(MONDAY, tick=False):
        again = services.appeal_dispatch(
            appeal_id=appeal.pk,
            actor=actor(district, "dispatcher"),
            expected_version=appeal.version,
            lead_unit_id=street1.pk,
            assist_unit_ids=[dept1.pk],
            reason="改派望月湖街道",
        )
    assert again.status == AppealStatus.DISPATCHED
    assert again.lead_unit_id == street1.pk
    assert (
        again.resolve_due
        == deadlines_for(
            category=district.category, urgency=Urgency.NORMAL, start=MONDAY
        ).resolve_due
    )
    assert active(appeal) == {(street1.pk, AssignmentRole.LEAD), (dept1.pk, AssignmentRole.ASSIST)}
    assert not Assignment.objects.filter(pk__in=old, is_active=True).exists()
    assert (
        Assignment.objects.filter(appeal=appeal, is_active=True, role=AssignmentRole.LEAD).count()
        == 1
    )
    with pytest.raises(NotFound):
        appeal_get_for(user=district.user("handler"), appeal_id=appeal.pk)
    assert appeal_get_for(user=district.user("handler_other"), appeal_id=appeal.pk) == again


def test_the_assisting_unit_can_note_but_not_resolve(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    noted = services.appeal_act(
        appeal_id=appeal.pk,
        action=Action.NOTE,
        actor=actor(district, "handler_dept"),
        expected_version=appeal.version,
        reason="城管已到现场核实",
    )
    assert noted.status == AppealStatus.IN_PROGRESS
    note = events(appeal)[-1]
    assert (note.action, note.actor_unit_id) == (Action.NOTE, district.departments[0].pk)
    for action_call in (
        lambda v: services.reply_submit(
            appeal_id=appeal.pk,
            actor=actor(district, "handler_dept"),
            expected_version=v,
            reason="已处理",
        ),
        lambda v: services.appeal_act(
            action=Action.SUSPEND,
            appeal_id=appeal.pk,
            actor=actor(district, "handler_dept"),
            expected_version=v,
            reason="请补充",
        ),
        lambda v: services.extension_request(
            appeal_id=appeal.pk,
            actor=actor(district, "handler_dept"),
            expected_version=v,
            days=3,
            reason="需要时间",
        ),
    ):
        with pytest.raises(PermissionDenied):
            action_call(noted.version)
    assert not Reply.objects.filter(appeal=appeal).exists()
    assert fresh(appeal).version == noted.version
    with pytest.raises(PermissionDenied):  # and a unit with no part in it cannot even note
        services.appeal_act(
            appeal_id=appeal.pk,
            action=Action.NOTE,
            actor=actor(district, "handler_other"),
            expected_version=noted.version,
            reason="路过",
        )


# --- extensions -----------------------------------------------------------------------------


def test_an_approved_extension_moves_the_deadline_by_working_days(district):
    with time_machine.travel(THURSDAY, tick=False):
        appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    due = appeal.resolve_due
    assert due is not None
    with time_machine.travel(FRIDAY, tick=False):
        extension = services.extension_request(
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=appeal.version,
            days=5,
            reason="需协调住建部门",
        )
    assert (extension.status, extension.days, extension.unit_id) == (
        ExtensionStatus.PENDING,
        5,
        district.street_units[0].pk,
    )
    assert fresh(appeal).resolve_due == due  # asking changes nothing yet
    version = fresh(appeal).version
    with pytest.raises(ValidationFailed, match="已有待审批的延期申请"):
        services.extension_request(
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=version,
            days=2,
            reason="再延两天",
        )
    assert Extension.objects.filter(appeal=appeal).count() == 1
    assert fresh(appeal).version == version

    approved = services.extension_decide(
        appeal_id=appeal.pk,
        actor=actor(district, "supervisor"),
        expected_version=version,
        approve=True,
    )
    assert approved.resolve_due == calendar.add_working_days(due, 5)
    assert approved.resolve_due > due
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert extension.decided_by == district.user("supervisor")
    event = events(appeal)[-1]
    assert event.action == Action.APPROVE_EXTENSION
    assert event.payload["days"] == 5
    assert datetime.fromisoformat(event.payload["resolve_due"]) == approved.resolve_due
    # Decided: a new request may follow.
    services.extension_request(
        appeal_id=appeal.pk,
        actor=actor(district, "handler"),
        expected_version=approved.version,
        days=1,
        reason="还差一天",
    )


def test_a_refused_extension_keeps_the_deadline_and_needs_a_reason(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    due = appeal.resolve_due
    extension = services.extension_request(
        appeal_id=appeal.pk,
        actor=actor(district, "handler"),
        expected_version=appeal.version,
        days=3,
        reason="需协调",
    )
    version = fresh(appeal).version
    with pytest.raises(ValidationFailed, match="驳回理由"):
        services.extension_decide(
            appeal_id=appeal.pk,
            actor=actor(district, "dispatcher"),
            expected_version=version,
            approve=False,
            reason="  ",
        )
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING
    refused = services.extension_decide(
        appeal_id=appeal.pk,
        actor=actor(district, "dispatcher"),
        expected_version=version,
        approve=False,
        reason="可在原时限内完成",
    )
    assert refused.resolve_due == due
    extension.refresh_from_db()
    assert (extension.status, extension.decision_reason) == (
        ExtensionStatus.REFUSED,
        "可在原时限内完成",
    )


@pytest.mark.parametrize("days", [0, 31, -1])
def test_an_extension_of_an_impossible_length_is_refused(district, days):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    with pytest.raises(ValidationFailed):
        services.extension_request(
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=appeal.version,
            days=days,
            reason="需协调",
        )
    assert not Extension.objects.filter(appeal=appeal).exists()


def test_only_the_named_roles_decide_an_extension(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    services.extension_request(
        appeal_id=appeal.pk,
        actor=actor(district, "handler"),
        expected_version=appeal.version,
        days=3,
        reason="需协调",
    )
    version = fresh(appeal).version
    for who in ("handler", "leader", "call_taker"):
        with pytest.raises(PermissionDenied):
            services.extension_decide(
                appeal_id=appeal.pk,
                actor=actor(district, who),
                expected_version=version,
                approve=True,
            )
    assert Extension.objects.get(appeal=appeal).status == ExtensionStatus.PENDING


# --- suspension -----------------------------------------------------------------------------


def test_suspend_and_resume_shift_the_deadline_by_the_working_time_paused(district):
    with time_machine.travel(THURSDAY, tick=False):
        appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    due = appeal.resolve_due
    assert due is not None
    with time_machine.travel(FRIDAY, tick=False):  # Friday 10:00
        suspended = services.appeal_act(
            action=Action.SUSPEND,
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=appeal.version,
            reason="请诉求人补充具体楼栋",
        )
    assert suspended.status == AppealStatus.SUSPENDED
    assert suspended.paused_at == FRIDAY
    with time_machine.travel(MONDAY, tick=False):  # Monday 10:00, a weekend later
        resumed = services.appeal_act(
            action=Action.RESUME,
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=suspended.version,
        )
    # Friday 10:00–12:00 and 13:30–18:00, Monday 09:00–10:00: 7.5 working hours, no weekend.
    paused = int(7.5 * 3600)
    assert events(appeal)[-1].payload == {"paused_working_seconds": paused}
    assert resumed.status == AppealStatus.IN_PROGRESS
    assert resumed.paused_at is None
    assert resumed.resolve_due == calendar.add_working_seconds(due, paused)
    assert resumed.resolve_due > due


def test_a_suspension_over_the_weekend_only_costs_nothing(district):
    with time_machine.travel(THURSDAY, tick=False):
        appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    due = appeal.resolve_due
    with time_machine.travel(datetime(2025, 3, 7, 18, 30, tzinfo=TZ), tick=False):
        suspended = services.appeal_act(
            action=Action.SUSPEND,
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=appeal.version,
            reason="请补充照片",
        )
    with time_machine.travel(datetime(2025, 3, 10, 8, 30, tzinfo=TZ), tick=False):
        resumed = services.appeal_act(
            action=Action.RESUME,
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=suspended.version,
        )
    assert events(appeal)[-1].payload == {"paused_working_seconds": 0}
    assert resumed.resolve_due == due


# --- reply, rating, reopening -----------------------------------------------------------------


def test_reply_submit_creates_a_reply_and_resolves(district):
    with time_machine.travel(THURSDAY, tick=False):
        appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    later = THURSDAY + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        reply = services.reply_submit(
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=appeal.version,
            reason="  已安排环卫清运，并加密清运频次。 ",
        )
    assert (reply.content, reply.unit_id, reply.author) == (
        "已安排环卫清运，并加密清运频次。",
        district.street_units[0].pk,
        district.user("handler"),
    )
    resolved = fresh(appeal)
    # No review rule covers it: the system releases it at once, through the review's row.
    assert resolved.status == AppealStatus.RESOLVED
    assert resolved.resolved_at == later == reply.created_at == reply.released_at
    assert resolved.released_at == later
    submitted, released = events(appeal)[-2:]
    assert (submitted.action, submitted.to_status) == (Action.RESOLVE, AppealStatus.REVIEWING)
    assert submitted.reason == reply.content
    assert (released.action, released.actor_role) == (Action.APPROVE_REPLY, "system")
    assert released.reason == "自动通过：没有适用的审核规则"
    assert released.payload["reply_id"] == reply.pk and not released.payload["reviewed"]
    assert reply.quality_score is not None and reply.quality["checks"]
    with pytest.raises(ValidationFailed, match="答复内容"):  # a reply needs content
        services.reply_submit(
            appeal_id=appeal_in(district, AppealStatus.IN_PROGRESS).pk,
            actor=actor(district, "handler"),
            expected_version=None,
            reason=" ",
        )


def test_dissatisfied_reopen_resolve_and_rate_again(district):
    with time_machine.travel(THURSDAY, tick=False):
        appeal = appeal_in(district, AppealStatus.RESOLVED)
    first_reply = Reply.objects.get(appeal=appeal)
    with time_machine.travel(FRIDAY, tick=False):
        first_rating = rating_submit(
            appeal_id=appeal.pk,
            actor=Actor.citizen(),
            expected_version=appeal.version,
            satisfaction=Satisfaction.DISSATISFIED,
            comment="垃圾还在",
        )
    assert first_rating.reply == first_reply
    assert not first_rating.by_staff
    unhappy = fresh(appeal)
    assert (unhappy.status, unhappy.satisfaction) == (
        AppealStatus.FOLLOW_UP,
        Satisfaction.DISSATISFIED,
    )

    with time_machine.travel(MONDAY, tick=False):
        reopened = services.appeal_reopen(
            appeal_id=appeal.pk,
            actor=actor(district, "supervisor"),
            expected_version=unhappy.version,
            reason="现场复核仍有堆放，限期清理",
        )
    assert reopened.status == AppealStatus.IN_PROGRESS
    assert reopened.reopen_count == 1
    assert reopened.resolved_at is None and reopened.satisfaction == ""
    assert (
        reopened.resolve_due
        == deadlines_for(
            category=district.category, urgency=Urgency.NORMAL, start=MONDAY
        ).resolve_due
    )
    assert reopened.resolve_due and appeal.resolve_due
    assert reopened.resolve_due > appeal.resolve_due
    assert reopened.lead_unit_id == district.street_units[0].pk
    assert appeal_get_for(user=district.user("handler"), appeal_id=appeal.pk) == reopened

    with time_machine.travel(MONDAY + timedelta(hours=3), tick=False):
        second_reply = services.reply_submit(
            appeal_id=appeal.pk,
            actor=actor(district, "handler"),
            expected_version=reopened.version,
            reason="已全部清运，设置监控。",
        )
        again = fresh(appeal)
        assert again.status == AppealStatus.RESOLVED
        second_rating = rating_submit(
            appeal_id=appeal.pk,
            actor=Actor.citizen(),
            expected_version=again.version,
            satisfaction=Satisfaction.SATISFIED,
        )
    assert second_rating.reply == second_reply != first_reply
    assert Rating.objects.filter(appeal=appeal).count() == 2
    assert Reply.objects.filter(appeal=appeal).count() == 2
    done = fresh(appeal)
    assert (done.status, done.satisfaction, done.reopen_count) == (
        AppealStatus.RATED,
        Satisfaction.SATISFIED,
        1,
    )


def test_reopen_with_a_number_of_days(district):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    with time_machine.travel(MONDAY, tick=False):
        reopened = services.appeal_reopen(
            appeal_id=appeal.pk,
            actor=actor(district, "supervisor"),
            expected_version=appeal.version,
            reason="限三个工作日",
            days=3,
        )
    assert reopened.resolve_due == calendar.add_working_days(MONDAY, 3)
    for days in (0, 61):
        with pytest.raises(ValidationFailed):
            services.appeal_reopen(
                appeal_id=appeal_in(district, AppealStatus.FOLLOW_UP).pk,
                actor=actor(district, "supervisor"),
                expected_version=None,
                reason="重办",
                days=days,
            )


def test_a_reply_can_be_rated_only_once(district):
    appeal = appeal_in(district, AppealStatus.RATED)
    with pytest.raises(IllegalTransition) as caught:
        rating_submit(
            appeal_id=appeal.pk,
            actor=Actor.citizen(),
            expected_version=appeal.version,
            satisfaction=Satisfaction.SATISFIED,
        )
    assert caught.value.status_code == 409
    assert Rating.objects.filter(appeal=appeal).count() == 1


def test_close_needs_a_reason(district):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    for reason in ("", "  \n "):
        with pytest.raises(ValidationFailed, match="办结理由"):
            services.appeal_act(
                appeal_id=appeal.pk,
                action=Action.CLOSE,
                actor=actor(district, "supervisor"),
                expected_version=appeal.version,
                reason=reason,
            )
    assert fresh(appeal).status == AppealStatus.FOLLOW_UP
    with time_machine.travel(MONDAY, tick=False):
        closed = services.appeal_act(
            appeal_id=appeal.pk,
            action=Action.CLOSE,
            actor=actor(district, "supervisor"),
            expected_version=appeal.version,
            reason="已向诉求人解释政策，诉求超出职责范围",
        )
    assert closed.status == AppealStatus.ARCHIVED
    assert closed.closed_at == MONDAY


# --- archiving ------------------------------------------------------------------------------


def _resolved_at(district, moment: datetime, status=AppealStatus.RESOLVED) -> Appeal:
    with time_machine.travel(moment, tick=False):
        return appeal_in(district, status)


def test_appeals_unrated_archive_archives_only_the_old_ones(district):
    days = int(settings.MINXIN["ARCHIVE_UNRATED_AFTER_DAYS"])
    now = datetime(2025, 3, 20, 10, 0, tzinfo=TZ)
    old = _resolved_at(district, now - timedelta(days=days, hours=1))
    recent = _resolved_at(district, now - timedelta(days=days) + timedelta(hours=1))
    old_follow_up = _resolved_at(district, now - timedelta(days=days + 5), AppealStatus.FOLLOW_UP)
    assert old.resolved_at and recent.resolved_at
    assert old.resolved_at < now - timedelta(days=days) < recent.resolved_at

    assert services.appeals_unrated_archive(now=now) == 1
    archived = fresh(old)
    assert (archived.status, archived.closed_at) == (AppealStatus.ARCHIVED, now)
    event = events(old)[-1]
    assert (event.action, event.actor_id, event.actor_role, event.actor_unit_id) == (
        Action.ARCHIVE,
        None,
        "system",
        None,
    )
    assert (event.from_status, event.to_status) == (AppealStatus.RESOLVED, AppealStatus.ARCHIVED)
    assert "未评价" in event.reason
    assert fresh(recent).status == AppealStatus.RESOLVED
    assert fresh(old_follow_up).status == AppealStatus.FOLLOW_UP
    assert services.appeals_unrated_archive(now=now) == 0  # nothing left to do


def test_appeals_unrated_archive_works_in_batches(district):
    days = int(settings.MINXIN["ARCHIVE_UNRATED_AFTER_DAYS"])
    now = datetime(2025, 3, 20, 10, 0, tzinfo=TZ)
    appeals = [_resolved_at(district, now - timedelta(days=days + 2)) for _ in range(3)]
    assert services.appeals_unrated_archive(now=now, limit=2) == 2
    assert services.appeals_unrated_archive(now=now, limit=2) == 1
    assert {fresh(a).status for a in appeals} == {AppealStatus.ARCHIVED}


def test_the_archive_task_runs_on_the_immediate_backend(district):
    days = int(settings.MINXIN["ARCHIVE_UNRATED_AFTER_DAYS"])
    now = datetime(2025, 3, 20, 10, 0, tzinfo=TZ)
    old = [_resolved_at(district, now - timedelta(days=days + 1)) for _ in range(2)]
    recent = _resolved_at(district, now - timedelta(days=1))
    with time_machine.travel(now, tick=False):
        result = archive_unrated_appeals_task.enqueue(reschedule=False)
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    assert result.return_value == 2
    assert {fresh(a).status for a in old} == {AppealStatus.ARCHIVED}
    assert fresh(recent).status == AppealStatus.RESOLVED


# --- merging and intake -------------------------------------------------------------------


def test_merge_into_an_unknown_tracking_number_is_refused(district):
    appeal = appeal_in(district, AppealStatus.RECEIVED)
    with pytest.raises(ValidationFailed, match="受理编号"):
        services.appeal_merge(
            appeal_id=appeal.pk,
            actor=actor(district, "dispatcher"),
            expected_version=appeal.version,
            into_tracking_number="2099010100001",
        )
    assert fresh(appeal).status == AppealStatus.RECEIVED
    assert len(events(appeal)) == 1


def test_merge_into_itself_is_refused(district):
    appeal = appeal_in(district, AppealStatus.SCREENED)
    with pytest.raises(ValidationFailed, match="自身"):
        services.appeal_merge(
            appeal_id=appeal.pk,
            actor=actor(district, "dispatcher"),
            expected_version=appeal.version,
            into_tracking_number=f" {appeal.tracking_number} ",
        )
    assert fresh(appeal).status == AppealStatus.SCREENED


@pytest.mark.parametrize("into_status", [AppealStatus.MERGED, AppealStatus.INVALID])
def test_merge_into_a_merged_or_invalid_appeal_is_refused(district, into_status):
    appeal = appeal_in(district, AppealStatus.RECEIVED)
    into = appeal_in(district, into_status)
    with pytest.raises(ValidationFailed):
        services.appeal_merge(
            appeal_id=appeal.pk,
            actor=actor(district, "dispatcher"),
            expected_version=appeal.version,
            into_tracking_number=into.tracking_number,
        )
    assert fresh(appeal).status == AppealStatus.RECEIVED


def test_merge_links_the_duplicate_to_its_original(district):
    original = appeal_in(district, AppealStatus.DISPATCHED)
    duplicate = appeal_new(district, title="门口垃圾又没人收")
    merged = services.appeal_merge(
        appeal_id=duplicate.pk,
        actor=actor(district, "dispatcher"),
        expected_version=duplicate.version,
        into_tracking_number=original.tracking_number,
        reason="同一地点同一事项",
    )
    assert (merged.status, merged.merged_into_id) == (AppealStatus.MERGED, original.pk)
    assert events(duplicate)[-1].payload == {"merged_into": original.tracking_number}
    assert list(original.duplicates.all()) == [merged]
    assert fresh(original).version == original.version  # the original is not touched


def test_appeal_create_with_the_same_submission_key_twice_makes_one_appeal(district):
    draft = services.AppealDraft(
        channel="web",
        kind="complaint",
        title="路灯不亮",
        content="景蓉华苑东门路灯连续一周不亮。",
        appellant_phone="13812345678",
    )
    first = services.appeal_create(actor=Actor.citizen(), draft=draft, submission_key="k-1")
    second = services.appeal_create(actor=Actor.citizen(), draft=draft, submission_key="k-1")
    assert first.created and not second.created
    assert first.appeal.pk == second.appeal.pk
    assert Appeal.objects.filter(submission_key="k-1").count() == 1
    assert len(events(first.appeal)) == 1
    other = services.appeal_create(actor=Actor.citizen(), draft=draft, submission_key="k-2")
    assert other.created and other.appeal.pk != first.appeal.pk
    # Without a key each submission is its own appeal.
    a = services.appeal_create(actor=Actor.citizen(), draft=draft)
    b = services.appeal_create(actor=Actor.citizen(), draft=draft)
    assert a.appeal.pk != b.appeal.pk


# --- the lists do not grow a query per row ---------------------------------------------------

LIST_CASES = {
    "cases:appeal_list": (
        "supervisor",
        [
            AppealStatus.RECEIVED,
            AppealStatus.DISPATCHED,
            AppealStatus.IN_PROGRESS,
            AppealStatus.RESOLVED,
            AppealStatus.FOLLOW_UP,
        ],
    ),
    "dispatch:screening": ("dispatcher", [AppealStatus.RECEIVED]),
    "cases:unit_queue": ("handler", [AppealStatus.DISPATCHED, AppealStatus.IN_PROGRESS]),
}


@pytest.mark.parametrize("name", list(LIST_CASES))
def test_a_list_costs_the_same_queries_for_5_and_30_appeals(
    client, district, django_assert_num_queries, name
):
    who, statuses = LIST_CASES[name]
    url = reverse(name)
    client.force_login(district.user(who))

    def build(count: int) -> None:
        for i in range(count):
            appeal_in(district, statuses[i % len(statuses)])

    build(5)
    client.get(url)  # warm the per-process caches (calendar overrides, policies)
    with CaptureQueriesContext(connection) as five:
        page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('class="tn"') == 5
    build(25)
    with django_assert_num_queries(len(five.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('class="tn"') == 25  # one full page of 30
