"""Deadline watch: yellow at the configured share, red when overdue, for both clocks; once per
deadline; suspended clocks ignored; the lead unit's handlers and the supervisors told, by
in-app notification, email and SMS (through the task), also in a real worker."""

import logging
import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.deadlines import calendar
from minxin.notify.models import Notification
from minxin.supervision.models import Clock, DeadlineWarning, WarningLevel
from minxin.supervision.tasks import raise_deadline_warnings_task
from minxin.supervision.warnings import deadline_warnings_raise
from tests.builders import appeal_in

TZ = ZoneInfo(settings.TIME_ZONE)
# A plain working week: 2025-03-06 is a Thursday.
THURSDAY = datetime(2025, 3, 6, 10, 0, tzinfo=TZ)


def at_share(start: datetime, due: datetime, share: float) -> datetime:
    """The moment `share` of the working time from start to due has been used."""
    total = calendar.working_seconds_between(start, due)
    return calendar.add_working_seconds(start, math.ceil(total * share))


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def warnings_of(appeal: Appeal) -> set[tuple[str, str]]:
    return set(DeadlineWarning.objects.filter(appeal=appeal).values_list("clock", "level"))


def raise_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return deadline_warnings_raise()


def made_at_thursday(district, status: AppealStatus) -> Appeal:
    with time_machine.travel(THURSDAY, tick=False):
        return appeal_in(district, status)


# --- levels and clocks ----------------------------------------------------------------------


def test_first_contact_clock_warns_yellow_at_the_share_then_red_when_overdue(district):
    appeal = made_at_thursday(district, AppealStatus.DISPATCHED)
    start, due = appeal.dispatched_at, appeal.first_contact_due
    assert start is not None and due is not None

    assert raise_at(at_share(start, due, 0.70)) == 0
    assert warnings_of(appeal) == set()

    assert raise_at(at_share(start, due, 0.75)) == 1
    assert warnings_of(appeal) == {(Clock.FIRST_CONTACT, WarningLevel.YELLOW)}
    yellow = DeadlineWarning.objects.get(appeal=appeal)
    assert yellow.due == due and yellow.share_used == pytest.approx(0.75, abs=0.001)

    assert raise_at(due + timedelta(minutes=1)) == 1
    assert warnings_of(appeal) == {
        (Clock.FIRST_CONTACT, WarningLevel.YELLOW),
        (Clock.FIRST_CONTACT, WarningLevel.RED),
    }


def test_resolve_clock_warns_yellow_then_red_and_a_contacted_appeal_has_no_first_contact_clock(
    district,
):
    appeal = made_at_thursday(district, AppealStatus.IN_PROGRESS)
    start, due = appeal.dispatched_at, appeal.resolve_due
    assert start is not None and due is not None
    # Long past the first-contact deadline: it was met, so nothing on that clock.
    assert raise_at(at_share(start, due, 0.5)) == 0

    assert raise_at(at_share(start, due, 0.8)) == 1
    assert warnings_of(appeal) == {(Clock.RESOLVE, WarningLevel.YELLOW)}

    assert raise_at(due + timedelta(hours=1)) == 1
    assert warnings_of(appeal) == {
        (Clock.RESOLVE, WarningLevel.YELLOW),
        (Clock.RESOLVE, WarningLevel.RED),
    }


def test_an_appeal_first_seen_overdue_is_warned_red_only(district):
    appeal = made_at_thursday(district, AppealStatus.IN_PROGRESS)
    assert appeal.resolve_due is not None
    assert raise_at(appeal.resolve_due + timedelta(days=3)) == 1
    assert warnings_of(appeal) == {(Clock.RESOLVE, WarningLevel.RED)}


def test_running_twice_warns_once_and_notifies_once(district):
    appeal = made_at_thursday(district, AppealStatus.IN_PROGRESS)
    assert appeal.resolve_due is not None
    moment = appeal.resolve_due + timedelta(minutes=5)
    assert raise_at(moment) == 1
    notified = Notification.objects.count()
    assert notified > 0
    assert raise_at(moment) == 0
    assert raise_at(moment + timedelta(hours=2)) == 0
    assert DeadlineWarning.objects.filter(appeal=appeal).count() == 1
    assert Notification.objects.count() == notified


def test_a_suspended_appeal_is_not_warned(district):
    appeal = made_at_thursday(district, AppealStatus.SUSPENDED)
    assert appeal.resolve_due is not None
    assert raise_at(appeal.resolve_due + timedelta(days=2)) == 0
    assert not DeadlineWarning.objects.exists()


@pytest.mark.parametrize("status", [AppealStatus.RESOLVED, AppealStatus.ARCHIVED])
def test_closed_appeals_are_not_warned(district, status):
    appeal = made_at_thursday(district, status)
    assert appeal.resolve_due is not None
    assert raise_at(appeal.resolve_due + timedelta(days=2)) == 0


def test_an_extensions_new_deadline_can_warn_again(district):
    appeal = made_at_thursday(district, AppealStatus.IN_PROGRESS)
    start, due = appeal.dispatched_at, appeal.resolve_due
    assert start is not None and due is not None
    near = at_share(start, due, 0.8)
    assert raise_at(near) == 1
    with time_machine.travel(near, tick=False):
        services.extension_request(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("handler")),
            expected_version=fresh(appeal).version,
            days=5,
            reason="需协调住建部门",
        )
        services.extension_decide(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("supervisor")),
            expected_version=fresh(appeal).version,
            approve=True,
        )
    new_due = fresh(appeal).resolve_due
    assert new_due is not None and new_due > due
    # The same moment is not near the new deadline.
    assert raise_at(near + timedelta(minutes=1)) == 0
    assert raise_at(at_share(start, new_due, 0.8)) == 1
    assert set(DeadlineWarning.objects.filter(appeal=appeal).values_list("level", "due")) == {
        (WarningLevel.YELLOW, due),
        (WarningLevel.YELLOW, new_due),
    }


# --- who is told, and how -------------------------------------------------------------------


def test_the_lead_units_handlers_and_the_supervisors_are_notified_and_nobody_else(district):
    colleague = User.objects.create_user(
        username="handler2", role=Role.HANDLER, unit=district.street_units[0]
    )
    appeal = made_at_thursday(district, AppealStatus.IN_PROGRESS)
    assert appeal.resolve_due is not None
    raise_at(appeal.resolve_due + timedelta(minutes=1))
    # (the dispatch's own notices, to the lead and assisting units, are not the warning's)
    warned = Notification.objects.filter(kind__startswith="deadline_")
    told = set(warned.values_list("recipient__username", flat=True))
    assert told == {"handler", colleague.username, "supervisor"}
    note = warned.get(recipient__username="handler")
    assert note.kind == "deadline_red"
    assert appeal.tracking_number in note.title
    assert note.link == f"/console/appeals/{appeal.pk}/"
    # No personal data of the citizen in what staff receive.
    assert "13812345678" not in note.body + note.title
    assert appeal.appellant_name not in note.body + note.title


def test_email_and_sms_go_out_through_the_task_after_commit(
    district, django_capture_on_commit_callbacks, caplog
):
    handler = district.user("handler")
    handler.email = "handler@example.org"
    handler.phone = "13900001111"
    handler.save()
    appeal = made_at_thursday(district, AppealStatus.IN_PROGRESS)
    assert appeal.resolve_due is not None
    mail.outbox.clear()
    with (
        caplog.at_level(logging.INFO, logger="minxin.notify.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        raise_at(appeal.resolve_due + timedelta(minutes=1))
    assert [m.to for m in mail.outbox] == [["handler@example.org"]]  # supervisor has no email
    assert appeal.tracking_number in mail.outbox[0].subject
    assert f"/console/appeals/{appeal.pk}/" in mail.outbox[0].body
    sms_lines = [r.getMessage() for r in caplog.records if r.name == "minxin.notify.sms"]
    assert len(sms_lines) == 1
    assert sms_lines[0].startswith("SMS to 139****1111: ")
    assert "13900001111" not in caplog.text


def test_the_periodic_task_raises_warnings_once_on_an_immediate_backend(district):
    appeal = made_at_thursday(district, AppealStatus.IN_PROGRESS)
    assert appeal.resolve_due is not None
    with time_machine.travel(appeal.resolve_due + timedelta(minutes=1), tick=False):
        assert raise_deadline_warnings_task.enqueue().return_value == 1
        assert raise_deadline_warnings_task.enqueue().return_value == 0


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_raises_the_warning_and_sends_the_notification(district):
    supervisor = district.user("supervisor")
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    appeal = made_at_thursday(district, AppealStatus.IN_PROGRESS)
    assert appeal.resolve_due is not None
    mail.outbox.clear()
    db_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with (
        override_settings(TASKS=db_tasks),
        time_machine.travel(appeal.resolve_due + timedelta(minutes=1), tick=True),
    ):
        raise_deadline_warnings_task.enqueue()
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        # The run booked its successor ten minutes on, which the batch left waiting.
        waiting = DBTaskResult.objects.filter(
            task_path=raise_deadline_warnings_task.module_path, status="READY"
        )
        assert waiting.count() == 1
    assert warnings_of(appeal) == {(Clock.RESOLVE, WarningLevel.RED)}
    assert Notification.objects.filter(recipient=supervisor, kind="deadline_red").count() == 1
    assert [m.to for m in mail.outbox] == [["supervisor@example.org"]]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL", "READY"}
