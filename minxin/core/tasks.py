"""Periodic work on django-tasks, and what the rest asks of the task backends."""

import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import Task, TaskResultStatus


def queue_kind(alias: str) -> str:
    """Where a task backend keeps its queue: "database" (django-tasks-db), "redis"
    (django-tasks-rq), or "" (the immediate backend of the tests)."""
    module = type(task_backends[alias]).__module__
    if module.startswith("django_tasks_db."):
        return "database"
    return "redis" if module.startswith("django_tasks_rq.") else ""


def enqueue_on_commit(enqueue: Callable[[], object]) -> None:
    """Queue background work asked for inside a transaction. On the database queue (the
    embedded default) its row is written in that same transaction: it commits with the work
    that asked for it — one commit, not two — and cannot be lost between them. Elsewhere
    (Redis; the immediate backend of the tests) it is queued once the transaction has
    committed: a worker could otherwise run it before the rows it reads exist."""
    if queue_kind("default") == "database":
        enqueue()
    else:
        transaction.on_commit(enqueue)


# A run that drains a backlog (`enqueue_unless_waiting`) stands for many appeals: where the
# queue orders by priority (the database's), it goes before the work queued one row per item.
# Every such run has the same priority, so that under a sustained load they take turns (first
# come, first served among them): the receipt SMS, queued below the triage run, were not sent
# while the load lasted (bench/README.md, ## intake).
RUN_PRIORITY: Final = 10


def backlog_run(queued: Task[[], Any]) -> Task[[], Any]:
    """A run of `queued` that drains a backlog, with `RUN_PRIORITY` where the queue has
    priorities."""
    if task_backends[queued.backend].supports_priority:
        return queued.using(priority=RUN_PRIORITY)
    return queued


def enqueue_unless_waiting(queued: Task[[], Any]) -> None:
    """Queue a run of `queued`, a task that takes all the work waiting for it (no arguments),
    unless a run of it waits in the queue not yet started: that one will find the work of the
    transaction asking. On the database queue, inside that transaction: the waiting run's row
    is locked until the transaction ends, and a worker skips locked rows, so the run cannot
    start, find nothing and finish before this work is committed (outside a transaction, a
    short one of its own). Elsewhere (Redis; the immediate backend of the tests) it is looked
    for and queued once the transaction has committed, when a run not started yet is sure to
    find the work. Queued with `RUN_PRIORITY` (`backlog_run`)."""
    queued = backlog_run(queued)
    if queue_kind(queued.backend) == "database":
        from django_tasks_db.models import DBTaskResult

        with transaction.atomic(savepoint=False):
            waiting = DBTaskResult.objects.ready().filter(
                backend_name=queued.backend, task_path=queued.module_path
            )
            if not list(waiting.select_for_update(no_key=True).values_list("pk", flat=True)):
                queued.enqueue()
    else:
        transaction.on_commit(lambda: runs_waiting(queued, started_since=NEVER) or queued.enqueue())


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


# Since ever: every started run counts (a periodic task's, however long it runs).
EVER: Final = datetime.min.replace(tzinfo=UTC)
# Since never: only the runs not started yet count.
NEVER: Final = datetime.max.replace(tzinfo=UTC)


def runs_waiting(
    queued: Task[Any, Any], *, started_since: datetime, dead_workers: Collection[str] = ()
) -> set[tuple[Any, ...]] | None:
    """The positional arguments of the runs of `queued` still to come: waiting in the queue
    (or deferred), or started at or after `started_since`. A run started earlier and still
    marked running had its worker killed (neither backend takes it back at once): it is not
    counted, nor, on Redis, one started by a worker of `dead_workers` (the database's are
    marked failed by `schedule_tasks` first). None where the backend cannot tell (the
    immediate one of the tests)."""
    kind = queue_kind(queued.backend)
    if kind == "database":
        return _db_runs_waiting(queued, started_since)
    if kind == "redis":
        return _rq_runs_waiting(queued, started_since, set(dead_workers))
    return None


def _db_runs_waiting(queued: Task[Any, Any], started_since: datetime) -> set[tuple[Any, ...]]:
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


def _rq_runs_waiting(
    queued: Task[Any, Any], started_since: datetime, dead_workers: set[str]
) -> set[tuple[Any, ...]]:
    """The same read of Redis: the task's queue, its deferred jobs and its started ones (a
    job's function is the task's path, as django-tasks-rq enqueues it)."""
    import django_rq
    from django_tasks_rq import Job
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue(queued.queue_name, job_class=Job)
    started = set(StartedJobRegistry(queue=queue).get_job_ids())
    scheduled = ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]
    ids = [*queue.get_job_ids(), *scheduled.get_job_ids(), *started]
    waiting: set[tuple[Any, ...]] = set()
    for job in Job.fetch_many(ids, connection=queue.connection):
        if job is None or job.func_name != queued.module_path:
            continue
        if job.id in started:
            at = job.started_at
            if at is None or job.worker_name in dead_workers:
                continue
            if timezone.is_naive(at):  # rq keeps UTC
                at = at.replace(tzinfo=UTC)
            if at < started_since:
                continue
        waiting.add(tuple(job.args))
    return waiting


def task_backends_reachable() -> bool:
    """Each task backend reachable (the readiness check): the database backend's table
    answers, Redis pings."""
    for alias in settings.TASKS:
        kind = queue_kind(alias)
        if kind == "database":
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(pk=uuid.uuid4()).exists()
        elif kind == "redis":
            import django_rq

            for queue in task_backends[alias].queues:
                django_rq.get_connection(queue).ping()
    return True
