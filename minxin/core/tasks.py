"""Periodic work on django-tasks."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import Task


def book_next_run(periodic: Task[Any, Any], every: timedelta) -> None:
    """django-tasks has no scheduler: a periodic job enqueues its own next run (`run_after`),
    started once by `minxin schedule_tasks`. A backend that cannot defer (the immediate one of
    the tests) runs it once."""
    if task_backends[periodic.backend].supports_defer:
        periodic.using(run_after=timezone.now() + every).enqueue()
