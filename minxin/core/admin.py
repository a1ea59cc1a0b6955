"""Read-only admin for what only the services write: histories and stateful records."""

from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The admin can look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- the background tasks' admin (django-tasks-db), in Chinese ---------------------------------
# Its field names and statuses are translated by core/locale (gettext); the app's name and the
# columns it names in English without gettext are set here.
apps.get_app_config("django_tasks_database").verbose_name = "后台任务"


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "id",
        "task_label",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description="任务")
    def task_label(self, obj: DBTaskResult) -> str:  # type: ignore[type-arg]
        # The path's last part names the task without importing it (a renamed one still shows).
        return obj.task_path.rsplit(".", 1)[-1]

    @admin.display(description="错误堆栈")
    def formatted_traceback(self, obj: DBTaskResult) -> str:  # type: ignore[type-arg]
        return super().formatted_traceback(obj)

    @admin.display(description="计划执行时间")
    def display_run_after(self, obj: DBTaskResult) -> datetime | str:  # type: ignore[type-arg]
        return super().display_run_after(obj)


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
