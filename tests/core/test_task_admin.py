"""The background tasks' admin speaks Chinese like the rest of the admin (issue 14)."""

from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


def test_the_task_admin_is_in_chinese(client, district):
    # Tests run tasks at once; the admin lists what the database worker keeps.
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="minxin.cases.tasks.archive_unrated_appeals_task",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    client.force_login(district.user("admin"))

    index = client.get(reverse("admin:index")).content.decode()
    listing = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))

    assert "后台任务" in index
    for english in ("Tasks Database Backend", "Task Results", "Task result"):
        assert english not in index
    page = listing.content.decode()
    assert listing.status_code == 200
    for header in ("任务", "状态", "入队时间", "开始时间", "结束时间", "优先级", "队列"):
        assert header in page
    assert "待执行" in page  # the status
    for english in ("Enqueued at", "Task name", "Queue name", "Task Results", "Ready"):
        assert english not in page
