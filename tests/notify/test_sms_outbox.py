"""The appellants' SMS outbox sent in runs (issue 17): every event that tells a citizen queues
one run of the outbox unless one waits to start, so a backlog is one row of the worker's
queue; the run sends the waiting messages oldest first and gives the worker back after its
time; two workers running at once never send one message twice."""

import functools
import threading
import time
from importlib import import_module
from typing import ClassVar

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from minxin.cases import tasks
from minxin.cases.tasks import appeal_sms_waiting_task
from minxin.notify import services
from minxin.notify.models import SmsMessage, SmsStatus, SmsTemplate
from minxin.notify.sms import MemorySmsBackend, Sms, SmsBackend
from tests.builders import appeal_new

TEMPLATES = import_module("minxin.notify.migrations.0004_sms_templates_seed").TEMPLATES

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MEMORY = "minxin.notify.sms.MemorySmsBackend"


@pytest.fixture(autouse=True)
def _templates(db) -> None:  # type: ignore[no-untyped-def]
    """The seeded templates, which a transactional test before this one may have flushed."""
    for key, text in TEMPLATES.items():
        SmsTemplate.objects.get_or_create(key=key, defaults={"text": text})


def _runs(status: str = "READY") -> int:
    return DBTaskResult.objects.filter(
        task_path=appeal_sms_waiting_task.module_path, status=status
    ).count()


def _appeals(district, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [
        appeal_new(district, title=f"路灯不亮（{n}）", appellant_phone=f"1381234{n:04d}").pk
        for n in range(count)
    ]


@pytest.mark.django_db(transaction=True)  # the worker closes its connections between tasks
def test_a_backlog_is_one_run_that_sends_every_message(district, settings) -> None:
    settings.TASKS = DB_TASKS
    settings.MINXIN_SMS_BACKEND = MEMORY
    MemorySmsBackend.outbox.clear()
    ids = _appeals(district, 6)
    assert _runs() == 1  # the other five found it waiting to start

    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)

    sent = SmsMessage.objects.filter(subject_id__in=ids)
    assert sorted(sent.values_list("status", flat=True)) == [SmsStatus.SENT] * 6
    assert len(MemorySmsBackend.outbox) == 6
    [run] = DBTaskResult.objects.filter(task_path=appeal_sms_waiting_task.module_path)
    assert run.status == "SUCCESSFUL" and run.return_value == 6


@pytest.mark.django_db
def test_a_run_stopped_by_its_time_queues_the_next(district, settings, monkeypatch) -> None:
    settings.MINXIN_SMS_BACKEND = MEMORY
    ids = _appeals(district, 3)  # recorded: the commit that would queue a run never comes
    settings.TASKS = DB_TASKS
    quick = functools.partial(services.sms_outbox_deliver, seconds=0)
    monkeypatch.setattr(tasks, "sms_outbox_deliver", quick)

    assert appeal_sms_waiting_task.call() == 1  # one message, and the time is up
    assert _runs() == 1  # the next run queued
    DBTaskResult.objects.all().delete()
    assert appeal_sms_waiting_task.call() == 1
    assert appeal_sms_waiting_task.call() == 1
    assert appeal_sms_waiting_task.call() == 0  # none left: nothing more queued
    statuses = SmsMessage.objects.filter(subject_id__in=ids).values_list("status", flat=True)
    assert set(statuses) == {SmsStatus.SENT}


@pytest.mark.django_db
def test_a_message_whose_subject_is_gone_is_marked_not_sent(district, settings) -> None:
    settings.MINXIN_SMS_BACKEND = MEMORY
    [appeal_id] = _appeals(district, 1)
    run = services.sms_outbox_deliver(subject_type="appeal", recipient=lambda subject_id: None)
    assert run == services.SmsRun(delivered=1, more=False)
    message = SmsMessage.objects.get(subject_id=appeal_id)
    assert (message.status, message.error) == (SmsStatus.SKIPPED, "通知对象不存在")


class SlowBackend(SmsBackend):
    """Takes its time over each message, so that two runs overlap; counts what it is given."""

    sent: ClassVar[list[str]] = []
    lock = threading.Lock()

    def deliver(self, sms: Sms) -> str:
        time.sleep(0.05)
        with self.lock:
            SlowBackend.sent.append(sms.phone)
        return ""


@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked, reason="no SKIP LOCKED"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_a_message_twice(district, settings) -> None:
    settings.MINXIN_SMS_BACKEND = f"{__name__}.SlowBackend"
    settings.TASKS = DB_TASKS  # recorded and queued, not sent on commit
    SlowBackend.sent.clear()
    ids = _appeals(district, 12)
    done: list[int] = []

    def worker() -> None:
        try:
            run = services.sms_outbox_deliver(
                subject_type="appeal",
                recipient=tasks._appellant,  # the run's own reading of the appeal
            )
            done.append(run.delivered)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(SlowBackend.sent) == sorted(f"1381234{n:04d}" for n in range(12))  # once each
    assert sum(done) == 12 and min(done) > 0  # both took some
    statuses = SmsMessage.objects.filter(subject_id__in=ids).values_list("status", flat=True)
    assert set(statuses) == {SmsStatus.SENT}
