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
    DBTaskResult.objects.filter(task_path=archive).update(status="RUNNING", worker_ids=["h-1"])
    DBTaskResult.objects.filter(task_path=warnings).update(status="RUNNING", worker_ids=["h-2"])
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
