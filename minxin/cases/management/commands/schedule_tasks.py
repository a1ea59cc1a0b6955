from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Book the first run of each periodic task unless one is already waiting (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        # The list is a setting: the tasks live in apps above this one in the import layers.
        for path in settings.MINXIN_PERIODIC_TASKS:
            periodic = import_string(path)
            waiting = DBTaskResult.objects.filter(
                task_path=periodic.module_path, status__in=["READY", "RUNNING"]
            ).exists()
            if not waiting:
                periodic.enqueue()
                self.stdout.write(f"scheduled {periodic.name}")
