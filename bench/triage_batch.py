# ruff: noqa: E402
"""Triage one appeal at a time vs in batches: milliseconds and SQL queries per appeal.

On a PostgreSQL database of your own, seeded with the demo district:

    psql -h 127.0.0.1 -U postgres -c "create database h15e_bench"
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/h15e_bench
    .venv/bin/minxin migrate && .venv/bin/minxin seed_demo --appeals 300
    .venv/bin/python bench/triage_batch.py [--appeals 200] [--batch 50] [--rounds 2]

The newest `--appeals` appeals are triaged without 快速交办 (so every round starts from the same
state): one `appeal_triage` each, then `appeals_triage` on batches of `--batch` (when the code
has it), their TriageSuggestion rows deleted before each run; the rounds alternate the two
ways. A last run of each counts the statements sent (an execute wrapper). The model must
be trained (`minxin triage train`, as `make setup` does).
"""

from __future__ import annotations

import os

import django_env  # noqa: F401 - first: the repository on the path, settings named

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import django

django.setup()

import argparse
import statistics
import time
from collections.abc import Callable

from django.db import connection

from minxin.cases.models import Appeal
from minxin.triage import services
from minxin.triage.models import TriageSuggestion


def one_by_one(ids: list[int], _batch: int) -> None:
    for appeal_id in ids:
        services.appeal_triage(appeal_id=appeal_id, auto_dispatch=False)


def in_batches(ids: list[int], batch: int) -> None:
    for start in range(0, len(ids), batch):
        services.appeals_triage(appeal_ids=ids[start : start + batch], auto_dispatch=False)


def run(way: Callable[[list[int], int], None], ids: list[int], batch: int) -> float:
    """Seconds per appeal, from no stored suggestion."""
    TriageSuggestion.objects.filter(appeal_id__in=ids).delete()
    started = time.perf_counter()
    way(ids, batch)
    elapsed = time.perf_counter() - started
    assert TriageSuggestion.objects.filter(appeal_id__in=ids).count() == len(ids)
    return elapsed / len(ids)


def queries(way: Callable[[list[int], int], None], ids: list[int], batch: int) -> float:
    TriageSuggestion.objects.filter(appeal_id__in=ids).delete()
    count = 0

    def counted(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        way(ids, batch)
    return count / len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    ids = list(Appeal.objects.order_by("-received_at", "-pk").values_list("pk", flat=True))
    ids = ids[: args.appeals][::-1]
    print(f"{connection.vendor}, {len(ids)} appeals, batches of {args.batch}")
    ways: dict[str, Callable[[list[int], int], None]] = {"one by one": one_by_one}
    if hasattr(services, "appeals_triage"):
        ways[f"batches of {args.batch}"] = in_batches
    services.appeal_triage(appeal_id=ids[0], auto_dispatch=False)  # warm: model, caches
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        for name, way in ways.items():
            times[name].append(run(way, ids, args.batch))
    for name, way in ways.items():
        per = [t * 1000 for t in times[name]]
        print(
            f"  {name:>14}: {statistics.median(per):6.1f} ms per appeal "
            f"(runs: {', '.join(f'{t:.1f}' for t in per)}), "
            f"{queries(way, ids, args.batch):.1f} queries per appeal"
        )
    load = os.getloadavg()
    print(f"  load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
