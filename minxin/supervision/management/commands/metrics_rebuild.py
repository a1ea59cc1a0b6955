"""`minxin metrics_rebuild`: recount the pre-aggregated supervision figures from the appeals."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from minxin.supervision.facts import metrics_rebuild


class Command(BaseCommand):
    help = "Recount every metric cell from the appeals and their events (after a bulk load)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        appeals = metrics_rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(f"counted {appeals} appeals in {seconds:.1f} s")
