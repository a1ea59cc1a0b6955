import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_schedule_tasks_books_each_periodic_task_once(settings):
    settings.TASKS = DB_TASKS
    call_command("schedule_tasks")
    call_command("schedule_tasks")  # running it again (make demo twice) books nothing more
    booked = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert booked == sorted(settings.MINXIN_PERIODIC_TASKS)


@pytest.mark.django_db
def test_a_periodic_task_books_its_next_run_where_the_backend_can_defer(settings):
    from datetime import timedelta

    from django.utils import timezone

    from minxin.core.tasks import book_next_run
    from minxin.imports.tasks import fail_stalled_imports_task

    book_next_run(fail_stalled_imports_task, timedelta(minutes=10))  # immediate backend: none
    settings.TASKS = DB_TASKS
    before = timezone.now()
    fail_stalled_imports_task.call()  # one run, which books the next
    (booked,) = DBTaskResult.objects.all()
    assert booked.task_path == fail_stalled_imports_task.module_path
    assert booked.run_after >= before + timedelta(minutes=10)


@pytest.mark.django_db
def test_a_worker_starting_again_fails_its_dead_runs_and_books_them_again(settings):
    """A periodic task whose worker was killed mid-run never books its next run; the worker's
    unit runs `schedule_tasks --worker-id <its id>` before it starts again."""
    settings.TASKS = DB_TASKS
    call_command("schedule_tasks")
    archive, warnings = settings.MINXIN_PERIODIC_TASKS[:2]
    from django.utils import timezone

    for path, worker in ((archive, "h-1"), (warnings, "h-2")):
        DBTaskResult.objects.filter(task_path=path).update(
            status="RUNNING", started_at=timezone.now(), worker_ids=[worker]
        )
    call_command("schedule_tasks")
    assert DBTaskResult.objects.count() == len(settings.MINXIN_PERIODIC_TASKS)  # still running

    call_command("schedule_tasks", "--worker-id", "h-1")
    assert sorted(
        DBTaskResult.objects.filter(task_path=archive).values_list("status", flat=True)
    ) == [
        "FAILED",
        "READY",
    ]
    # Another worker's run is left to it.
    assert list(
        DBTaskResult.objects.filter(task_path=warnings).values_list("status", flat=True)
    ) == ["RUNNING"]


@pytest.mark.django_db
def test_on_redis_a_worker_starting_again_books_what_died_with_it(settings, rq_queue):
    """The same on the Redis queue (deploy/systemd/minxin-rqworker@.service): a periodic job
    waiting or started is not booked twice; one started by the worker now starting again died
    with it and is booked again."""
    import time

    from django.utils import timezone
    from django_tasks_rq import Job
    from rq.registry import StartedJobRegistry

    def booked() -> list[str]:
        jobs = Job.fetch_many(rq_queue.get_job_ids(), connection=rq_queue.connection)
        return sorted(job.func_name for job in jobs if job is not None)

    periodic = sorted(settings.MINXIN_PERIODIC_TASKS)
    call_command("schedule_tasks")
    call_command("schedule_tasks")
    assert booked() == periodic

    # A worker (rq's --name h-1) takes the archive job, then is killed.
    archive = settings.MINXIN_PERIODIC_TASKS[0]
    [job] = [
        job
        for job in Job.fetch_many(rq_queue.get_job_ids(), connection=rq_queue.connection)
        if job is not None and job.func_name == archive
    ]
    rq_queue.remove(job)
    started = StartedJobRegistry(queue=rq_queue)
    rq_queue.connection.zadd(started.key, {f"{job.id}:run1": time.time() + 600})
    job.worker_name, job.started_at = "h-1", timezone.now()
    job.save()
    call_command("schedule_tasks")
    call_command("schedule_tasks", "--worker-id", "h-2")  # another worker's start
    assert archive not in booked()

    call_command("schedule_tasks", "--worker-id", "h-1")
    assert booked() == periodic
