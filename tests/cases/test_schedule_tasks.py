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
