from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from minxin.core.tasks import EVER, runs_waiting

# Held while booking: two workers starting at once must not book each periodic task twice.
LOCK_KEY = "minxin.schedule_tasks"


class Command(BaseCommand):
    help = (
        "Book the first run of each periodic task unless one is already waiting (idempotent). "
        "With --worker-id (a worker starting again, deploy/systemd/minxin-worker@.service): the "
        "runs still marked as running by that worker died with it and are marked failed first, "
        "so that a periodic task killed mid-run is booked again (on Redis, its started jobs "
        "are not counted as waiting)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--worker-id", action="append", default=[])

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK_KEY])
            for worker_id in options["worker_id"]:
                self._dead_runs_fail(worker_id)
            self._book(options["worker_id"])

    def _dead_runs_fail(self, worker_id: str) -> None:
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        # Few rows; JSON containment is not a lookup SQLite (the demo's database) has.
        ids = [r.pk for r in running.only("pk", "worker_ids") if r.worker_ids[-1:] == [worker_id]]
        dead = DBTaskResult.objects.filter(pk__in=ids, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path="",
            traceback=f"任务执行中工作进程 {worker_id} 被终止（重启时标记为失败）",
        )
        if dead:
            self.stdout.write(f"{dead} run(s) of worker {worker_id} marked failed")

    def _book(self, worker_ids: list[str]) -> None:
        # The list is a setting: the tasks live in apps above this one in the import layers.
        for path in settings.MINXIN_PERIODIC_TASKS:
            periodic = import_string(path)
            if not runs_waiting(periodic, started_since=EVER, dead_workers=worker_ids):
                periodic.enqueue()
                self.stdout.write(f"scheduled {periodic.name}")
