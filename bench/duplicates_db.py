"""Time the app's duplicate lookup (signatures in the database) on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_bench_1m \\
        .venv/bin/python bench/duplicates_db.py --lookups 300

Stores the signatures of every appeal that has none first (`signatures_backfill`, timed), then
runs `--lookups` lookups for appeals picked at random among the stored ones, as triage does at
intake (`duplicate_index_for` + `query` + `duplicates_current`), and prints the median and p95
in milliseconds and how many candidates were scored (at most MAX_SCORED).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import django_env  # noqa: F401 - first: the repository on the path, settings named


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from minxin.cases.models import Appeal
    from minxin.triage.duplicates import (
        duplicate_index_for,
        duplicates_current,
        signatures_backfill,
    )
    from minxin.triage.models import AppealSignature

    began = time.perf_counter()
    stored = signatures_backfill()
    print(f"backfill: {stored:,} signatures in {time.perf_counter() - began:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE triage_appealsignature")
    total = AppealSignature.objects.count()
    top = Appeal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(7)
    times: list[float] = []
    candidates: list[int] = []
    found = 0
    while len(times) < args.lookups:
        appeal = (
            Appeal.objects.filter(pk__gte=rng.randrange(1, top + 1))
            .order_by("pk")
            .values("pk", "title", "content", "received_at", "appellant_phone")
            .first()
        )
        if appeal is None:
            continue
        t0 = time.perf_counter()
        index = duplicate_index_for(
            title=appeal["title"],
            content=appeal["content"],
            around=appeal["received_at"],
            exclude_id=appeal["pk"],
        )
        current = duplicates_current(
            index.query(
                appeal["title"],
                appeal["content"],
                time=appeal["received_at"].timestamp(),
                person=appeal["appellant_phone"] or None,
            )
        )
        times.append((time.perf_counter() - t0) * 1000)
        candidates.append(len(index))
        found += bool(current)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(
        f"{connection.vendor}: {total:,} stored signatures; {len(times)} lookups: median "
        f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms; candidates per lookup median "
        f"{statistics.median(candidates):.0f}, max {max(candidates)}; {found} found a duplicate"
    )


if __name__ == "__main__":
    main()
