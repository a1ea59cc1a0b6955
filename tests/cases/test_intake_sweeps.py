"""The safety nets of intake's background work: an appeal's triage and its receipt SMS, lost
with a crash (the enqueue after the commit never made, or the run of a killed worker), are
queued again by a periodic sweep once they are late and no run of them is waiting: one run for
all the late appeals (or SMS), which takes every one waiting. The crash
itself is tests/deploy/test_chaos.py; here, the sweeps' rules."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minxin.cases.models import Appeal
from minxin.cases.tasks import appeal_sms_waiting_task, sweep_appeal_sms_task
from minxin.notify.models import SmsMessage, SmsStatus
from minxin.triage.models import TriageSuggestion
from minxin.triage.tasks import sweep_untriaged_appeals_task, triage_waiting_task
from tests.builders import appeal_in, appeal_new

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LATE = timedelta(minutes=10)


def _late(appeal: Appeal) -> None:
    """Received (and its SMS recorded) ten minutes ago; the enqueues after its commit never
    ran (the test's transaction is never committed): as if lost in a crash."""
    Appeal.objects.filter(pk=appeal.pk).update(received_at=timezone.now() - LATE)
    SmsMessage.objects.filter(subject_id=appeal.pk).update(created_at=timezone.now() - LATE)


def _queued(task) -> list[list[int]]:
    return [
        r.args_kwargs["args"]
        for r in DBTaskResult.objects.filter(task_path=task.module_path, status="READY")
    ]


@pytest.mark.django_db
def test_late_work_without_a_waiting_run_is_queued_again(district, settings) -> None:
    settings.MINXIN_TASK_SWEEP_AFTER_SECONDS = 300
    # Received on the tests' immediate backend, which queues after the commit: never here.
    # (The database queue writes the runs with the appeal; they go only with a killed worker.)
    lost = appeal_new(district, content="桂花路12号路灯不亮已经一周，晚上看不清路。")
    _late(lost)
    recent = appeal_new(district, content="望月湖路垃圾桶满了两天没人清运。")  # not late yet
    screened = appeal_in(district, "screened")  # a dispatcher's already: no triage needed
    Appeal.objects.filter(pk=screened.pk).update(received_at=timezone.now() - LATE)
    settings.TASKS = DB_TASKS
    sms = SmsMessage.objects.get(subject_id=lost.pk)
    assert sms.status == SmsStatus.QUEUED
    assert SmsMessage.objects.filter(subject_id=recent.pk, status=SmsStatus.QUEUED).exists()

    assert sweep_untriaged_appeals_task.call(reschedule=False) == 1
    assert sweep_appeal_sms_task.call(reschedule=False) == 1
    assert _queued(triage_waiting_task) == [[]]  # one run: it takes every appeal waiting
    assert _queued(appeal_sms_waiting_task) == [[]]  # one run: it takes every SMS waiting

    # Waiting in the queue: not queued twice.
    assert sweep_untriaged_appeals_task.call(reschedule=False) == 0
    assert sweep_appeal_sms_task.call(reschedule=False) == 0

    # Started by a worker that was then killed (still "running" long after): queued again;
    # started a moment ago by a live worker: left alone.
    DBTaskResult.objects.filter(task_path=triage_waiting_task.module_path).update(
        status="RUNNING", started_at=timezone.now() - LATE
    )
    DBTaskResult.objects.filter(task_path=appeal_sms_waiting_task.module_path).update(
        status="RUNNING", started_at=timezone.now()
    )
    assert sweep_untriaged_appeals_task.call(reschedule=False) == 1
    assert sweep_appeal_sms_task.call(reschedule=False) == 0


@pytest.mark.django_db
def test_the_sweeps_do_the_work_and_book_their_next_run(district, settings) -> None:
    settings.MINXIN_SMS = {"ATTEMPTS": 3, "BACKOFF_SECONDS": 0}
    lost = appeal_new(district, content="桂花路12号路灯不亮已经一周，晚上看不清路。")
    _late(lost)
    assert not TriageSuggestion.objects.filter(appeal=lost).exists()
    # The immediate backend of the tests runs what is queued at once.
    assert sweep_untriaged_appeals_task.call() == 1
    assert sweep_appeal_sms_task.call() == 1
    assert TriageSuggestion.objects.filter(appeal=lost).exists()
    assert SmsMessage.objects.get(subject_id=lost.pk).status == SmsStatus.SENT
    assert sweep_untriaged_appeals_task.call() == 0
    assert sweep_appeal_sms_task.call() == 0

    settings.TASKS = DB_TASKS
    sweep_untriaged_appeals_task.call()
    sweep_appeal_sms_task.call()
    booked = DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)
    assert sorted(booked) == sorted(
        [sweep_untriaged_appeals_task.module_path, sweep_appeal_sms_task.module_path]
    )


@pytest.mark.django_db
def test_on_redis_the_sweep_sees_what_waits_and_what_a_killed_worker_left(
    district, settings, rq_queue
) -> None:
    from django_tasks_rq import Job
    from rq.registry import StartedJobRegistry

    settings.MINXIN_TASK_SWEEP_AFTER_SECONDS = 300
    lost = appeal_new(district, content="桂花路12号路灯不亮已经一周，晚上看不清路。")
    _late(lost)

    def triage_jobs() -> list[Job]:
        jobs = Job.fetch_many(rq_queue.get_job_ids(), connection=rq_queue.connection)
        return [j for j in jobs if j is not None and j.func_name == triage_waiting_task.module_path]

    assert sweep_untriaged_appeals_task.call(reschedule=False) == 1
    [job] = triage_jobs()
    assert list(job.args) == []
    # Waiting in the queue: not queued twice.
    assert sweep_untriaged_appeals_task.call(reschedule=False) == 0

    # Taken by a worker a moment ago: left alone.
    rq_queue.remove(job)
    started = StartedJobRegistry(queue=rq_queue)
    rq_queue.connection.zadd(started.key, {f"{job.id}:run1": time.time() + 600})
    job.started_at = timezone.now()
    job.save()
    assert sweep_untriaged_appeals_task.call(reschedule=False) == 0
    assert triage_jobs() == []

    # Taken long ago by a worker since killed (still in the started registry): queued again.
    job.started_at = timezone.now() - LATE
    job.save()
    assert sweep_untriaged_appeals_task.call(reschedule=False) == 1
    [again] = triage_jobs()
    assert list(again.args) == []
