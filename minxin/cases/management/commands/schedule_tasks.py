from typing import Any

from django.core.management.base import BaseCommand
from django_tasks_db.models import DBTaskResult

from minxin.cases.tasks import archive_unrated_appeals_task

PERIODIC = [archive_unrated_appeals_task]


class Command(BaseCommand):
    help = "Book the first run of each periodic task unless one is already waiting (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for periodic in PERIODIC:
            waiting = DBTaskResult.objects.filter(
                task_path=periodic.module_path, status__in=["READY", "RUNNING"]
            ).exists()
            if not waiting:
                periodic.enqueue()
                self.stdout.write(f"scheduled {periodic.name}")
