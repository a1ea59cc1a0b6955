"""`minxin metrics_rebuild`: recount the pre-aggregated figures from the appeals."""

import multiprocessing
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from minxin.cases.models import ChangedAppeal
from minxin.metrics.facts import metric_facts_apply, metrics_rebuild
from minxin.metrics.models import MetricCell


def _apply_part(i: int, n: int) -> int:
    return metric_facts_apply(part=(i, n))


class Command(BaseCommand):
    help = "Recount every metric cell from the appeals and their events (after a bulk load)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes counting side by side (PostgreSQL only; one per core)",
        )
        parser.add_argument(
            "--pending-only",
            action="store_true",
            help="keep the cells and count only the queued changes (after a bulk load that "
            "queued its appeals)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"]
        if workers < 1:
            raise CommandError("--workers 至少为 1")
        if workers > 1 and connection.vendor != "postgresql":
            raise CommandError(
                "--workers 大于 1 需要 PostgreSQL（SQLite 同一时间只允许一个写入者）"
            )
        started = time.perf_counter()
        if not options["pending_only"]:
            metrics_rebuild(apply=False)
        if workers == 1:
            applied = metric_facts_apply()
        else:
            connections.close_all()  # each process opens its own
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                applied = sum(pool.starmap(_apply_part, [(i, workers) for i in range(workers)]))
        if connection.vendor == "postgresql":
            # Millions of queue rows were just deleted: until they are vacuumed, every "anything
            # pending?" check scans them (70 ms on 10M), so do it now rather than at autovacuum's
            # leisure.
            with connection.cursor() as cursor:
                for model in (ChangedAppeal, MetricCell):
                    table = connection.ops.quote_name(model._meta.db_table)
                    cursor.execute(f"VACUUM ANALYZE {table}")
        seconds = time.perf_counter() - started
        self.stdout.write(f"counted {applied} changed appeals in {seconds:.1f} s")
