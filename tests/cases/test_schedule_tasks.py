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
