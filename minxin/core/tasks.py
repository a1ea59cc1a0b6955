"""Periodic work on django-tasks."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import Task, TaskResultStatus


def book_next_run(periodic: Task[Any, Any], every: timedelta) -> None:
    """django-tasks has no scheduler: a periodic job enqueues its own next run (`run_after`),
    started once by `minxin schedule_tasks`. A backend that cannot defer (the immediate one of
    the tests) runs it once."""
    if task_backends[periodic.backend].supports_defer:
        periodic.using(run_after=timezone.now() + every).enqueue()


def sweep_every() -> timedelta:
    """How often a sweep of lost background work comes round (its next run booked)."""
    return timedelta(seconds=settings.MINXIN_TASK_SWEEP_EVERY_SECONDS)


def sweep_after() -> timedelta:
    """How late background work may be before a sweep queues it again."""
    return timedelta(seconds=settings.MINXIN_TASK_SWEEP_AFTER_SECONDS)


def runs_waiting(queued: Task[Any, Any], *, started_since: datetime) -> set[tuple[Any, ...]] | None:
    """The positional arguments of the runs of `queued` still to come: waiting in the queue,
    or started at or after `started_since`. A run started earlier and still marked running had
    its worker killed (the database backend never takes it back): it is not counted. None
    where the backend cannot tell (Redis): a sweep then relies on its delay alone."""
    backend = task_backends[queued.backend]
    if not type(backend).__module__.startswith("django_tasks_db."):
        return None
    from django_tasks_db.models import DBTaskResult

    rows = (
        DBTaskResult.objects.filter(backend_name=queued.backend, task_path=queued.module_path)
        .filter(
            Q(status=TaskResultStatus.READY)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=started_since)
        )
        .values_list("args_kwargs", flat=True)
    )
    return {tuple(row.get("args", ())) for row in rows}
