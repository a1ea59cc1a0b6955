"""Intake's triage runs on the database queue (issue 17): intake queues a run only when none
waits to start, so however many appeals arrive one run is pending, and that run drains the
backlog batch after batch; an appeal received while a run waits can never be missed by it."""

import functools
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult

from minxin.accounts.actor import Actor
from minxin.cases.models import Appeal, Channel
from minxin.cases.services import AppealDraft, appeal_create
from minxin.cases.tasks import appeal_sms_waiting_task
from minxin.intake.services import appeal_receive
from minxin.triage import services, tasks
from minxin.triage.models import TriageSuggestion
from minxin.triage.tasks import triage_waiting_queue, triage_waiting_task
from tests.builders import District, appeal_new
from tests.cases.conftest import rq_queue  # noqa: F401 - the Redis backend's fixture

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TEXTS = [
    ("景蓉华苑小区垃圾无人清运", "桂花坪街道景蓉华苑小区门口生活垃圾堆放三天无人清运。"),
    ("路灯不亮", "景蓉华苑东门路灯坏了一周，晚上很黑。"),
    ("望月湖街道噪音扰民", "望月湖小区楼下烧烤店每天营业到凌晨两点，噪音很大。"),
]


def _receive(d: District, n: int) -> int:
    title, content = TEXTS[n % len(TEXTS)]
    return appeal_receive(
        actor=Actor.of(d.user("call_taker")),
        draft=AppealDraft(
            channel=Channel.HOTLINE,
            kind="complaint",
            appellant_phone=f"1381234{n:04d}",
            title=f"{title}（{n}）",
            content=content,
        ),
    ).appeal.pk


def _runs(status: str = "READY") -> int:
    return DBTaskResult.objects.filter(
        task_path=triage_waiting_task.module_path, status=status
    ).count()


@pytest.mark.django_db
def test_intake_queues_one_run_however_many_appeals_arrive(district, settings) -> None:
    settings.TASKS = DB_TASKS
    for n in range(5):
        _receive(district, n)
    assert _runs() == 1  # the others found it waiting to start
    # Their receipt SMS too: one run of the outbox for the five, with the triage run's
    # priority, so that the two take turns (db_worker's order: priority, then first queued)
    # and neither waits for the other's backlog.
    [sms] = DBTaskResult.objects.filter(task_path=appeal_sms_waiting_task.module_path)
    [triage] = DBTaskResult.objects.filter(task_path=triage_waiting_task.module_path)
    assert sms.priority == triage.priority > 0
    assert [r.task_path for r in DBTaskResult.objects.ready()] == [
        appeal_sms_waiting_task.module_path,  # recorded with the receipt event, first
        triage_waiting_task.module_path,
    ]

    # A worker took it: it may have read the waiting appeals already, so the next appeal
    # queues another, and the ones after that find that one.
    DBTaskResult.objects.filter(task_path=triage_waiting_task.module_path).update(status="RUNNING")
    for n in range(5, 8):
        _receive(district, n)
    assert (_runs("RUNNING"), _runs()) == (1, 1)


@pytest.mark.django_db(transaction=True)  # the worker closes its connections between tasks
def test_the_worker_drains_the_backlog_with_one_run(district, settings, installed_model) -> None:
    settings.TASKS = DB_TASKS
    ids = [_receive(district, n) for n in range(7)]

    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)

    assert TriageSuggestion.objects.filter(appeal_id__in=ids).count() == 7
    [run] = DBTaskResult.objects.filter(task_path=triage_waiting_task.module_path)
    assert run.status == "SUCCESSFUL" and run.return_value == 7


@pytest.mark.django_db
def test_a_run_stopped_by_its_time_queues_the_next_and_one_that_is_done_does_not(
    district, settings, installed_model, monkeypatch
) -> None:
    ids = [appeal_new(district, content=content).pk for _, content in TEXTS]
    settings.TASKS = DB_TASKS
    # Batches of two, the time up after the first.
    short = functools.partial(services.appeals_triage_waiting, limit=2, seconds=0)
    monkeypatch.setattr(tasks, "appeals_triage_waiting", short)

    assert triage_waiting_task.call() == 2
    assert _runs() == 1  # appeals may be left: the next run queued
    DBTaskResult.objects.all().delete()

    assert triage_waiting_task.call() == 1  # a short batch: none left
    assert _runs() == 0
    assert TriageSuggestion.objects.filter(appeal_id__in=ids).count() == 3


@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked, reason="no SKIP LOCKED"
)
@pytest.mark.django_db(transaction=True)
def test_a_run_waiting_cannot_start_before_the_appeal_that_found_it_commits(
    settings, installed_model
) -> None:
    """The race: an appeal's transaction finds a run waiting and queues none; a worker must
    not start that run, find nothing (the appeal not committed yet) and finish, stranding the
    appeal. The waiting run's row stays locked until the appeal commits; workers skip it."""
    from tests.builders import district_build

    settings.TASKS = DB_TASKS
    d = district_build()
    triage_waiting_queue()  # a run waiting to start
    queued, release = threading.Event(), threading.Event()
    received: list[int] = []

    def held(appeal: Appeal) -> None:  # intake's step in the appeal's transaction, held open
        triage_waiting_queue()
        received.append(appeal.pk)
        queued.set()
        release.wait(timeout=30)

    def intake() -> None:
        try:
            appeal_create(
                actor=Actor.of(d.user("call_taker")),
                draft=AppealDraft(
                    channel=Channel.HOTLINE,
                    kind="complaint",
                    appellant_phone="13812345678",
                    title=TEXTS[0][0],
                    content=TEXTS[0][1],
                ),
                channel_record=held,
            )
        finally:
            connections.close_all()

    def claim() -> DBTaskResult | None:  # what db_worker does to take a run
        with transaction.atomic():
            run = DBTaskResult.objects.ready().get_locked()
            if run is not None:
                run.claim("test-worker")
            return run

    thread = threading.Thread(target=intake)
    thread.start()
    try:
        assert queued.wait(timeout=30)
        assert claim() is None  # locked by the appeal's transaction: skipped
    finally:
        release.set()
        thread.join()
    assert _runs() == 1  # the appeal found the run: none queued
    run = claim()
    assert run is not None and run.task_path == triage_waiting_task.module_path
    assert triage_waiting_task.call() == 1
    assert TriageSuggestion.objects.filter(appeal_id__in=received).count() == 1
    assert Appeal.objects.filter(triage_suggestion__isnull=True).count() == 0


def _rq_triage_jobs(queue) -> list:  # type: ignore[no-untyped-def]
    from django_tasks_rq import Job

    jobs = Job.fetch_many(queue.get_job_ids(), connection=queue.connection)
    return [j for j in jobs if j is not None and j.func_name == triage_waiting_task.module_path]


@pytest.mark.django_db
def test_on_redis_intake_queues_one_run_until_a_worker_takes_it(
    district,
    rq_queue,  # noqa: F811
    django_capture_on_commit_callbacks,
) -> None:
    from django.utils import timezone
    from rq.registry import StartedJobRegistry

    # On Redis the run is looked for and queued once the appeal has committed.
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            _receive(district, n)
    [job] = _rq_triage_jobs(rq_queue)

    # Taken by a worker: the next appeal queues another, the one after finds it.
    rq_queue.remove(job)
    started = StartedJobRegistry(queue=rq_queue)
    rq_queue.connection.zadd(started.key, {f"{job.id}:run1": time.time() + 600})
    job.started_at = timezone.now()
    job.save()
    with django_capture_on_commit_callbacks(execute=True):
        _receive(district, 3)
        _receive(district, 4)
    [again] = _rq_triage_jobs(rq_queue)
    assert again.id != job.id
