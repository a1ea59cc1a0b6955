# ruff: noqa: E402, E501
"""Bulk import benchmark: a realistic N-row export of another platform's appeals (Chinese texts
from the TipDM messages, the demo district's categories and regions, ~2 % bad rows), then the
upload check, the dry run and the import through the very functions the background tasks call
(`import_job_check`, `import_job_run`), then the same file again (idempotency: nothing new).

Against the database in DATABASE_URL (migrated here first, not timed; the demo directory is
seeded if missing). Background tasks go to the configured backend (the database queue): the
import's triage batches are enqueued, not run; their cost is measured on a sample apart.

    DATABASE_URL=sqlite:////tmp/import-bench.sqlite3 nice -n 10 .venv/bin/python bench/import_bulk.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_imports_bench nice -n 10 \\
        .venv/bin/python bench/import_bulk.py --rows 100000 --format xlsx
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import django_env  # noqa: F401 - first: the repository on the path, settings named

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import django

django.setup()

from django.conf import settings
from django.db import connection

from bench.timing import import_dry_run, import_work, timed, xlsx_write

HEADER = [
    "工单编号",
    "诉求标题",
    "诉求内容",
    "来电时间",
    "诉求人",
    "联系电话",
    "事发地点",
    "诉求分类",
    "所属区域",
    "诉求类型",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
KINDS = ["投诉", "求助", "咨询", "建议", "举报", "表扬"]


def rows_make(n: int, rng: random.Random) -> list[list[object]]:
    from minxin.demo.texts import messages_load, taxonomy_load
    from minxin.directory.models import Region

    messages = messages_load()
    paths = ["/".join(t) for t in taxonomy_load()]
    places = list(Region.objects.values_list("name", flat=True)) or ["景蓉社区"]
    start = datetime(2024, 1, 1, 8, 0)  # noqa: DTZ001 - a naive export, as other platforms write
    rows: list[list[object]] = []
    for i in range(n):
        m = messages[i % len(messages)]
        row: list[object] = [
            f"SZ{i:08d}",
            m.title,
            m.content,
            (start + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S"),
            rng.choice(SURNAMES) + rng.choice(["先生", "女士", "某某", "明", "芳"]),
            f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            f"{rng.choice(places)}{rng.randrange(1, 40)}栋",
            rng.choice(paths),
            rng.choice(places),
            rng.choice(KINDS),
        ]
        bad = rng.random()
        if bad < 0.005:
            row[1] = ""  # missing title
        elif bad < 0.01:
            row[5] = "12345"  # bad phone
        elif bad < 0.015:
            row[3] = "2024-02-30 10:00"  # no such date
        elif bad < 0.02:
            row[2] = "长" * 5001  # content too long
        rows.append(row)
    return rows


def file_write(rows: list[list[object]], fmt: str, directory: Path) -> Path:
    if fmt == "csv":
        path = directory / "export.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(rows)
        return path
    return xlsx_write(directory / "export.xlsx", "工单", HEADER, rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--triage-sample", type=int, default=100)
    parser.add_argument("--enqueue-sample", type=int, default=2000)
    args = parser.parse_args()

    work = import_work("import-bench-")
    from minxin.accounts.models import User
    from minxin.accounts.roles import Role

    if not User.objects.filter(role=Role.DISPATCHER).exists():
        from minxin.demo.seed import seed_demo

        seed_demo(appeals=0)
    from minxin.cases.models import Appeal, Channel
    from minxin.imports import services

    dispatcher = User.objects.filter(role=Role.DISPATCHER).order_by("pk").first()
    assert dispatcher is not None
    print(
        f"backend={connection.vendor} rows={args.rows:,} format={args.format} "
        f"tasks={settings.TASKS['default']['BACKEND']}",
        flush=True,
    )

    rng = random.Random(7)
    rows, _ = timed("generate rows", args.rows, lambda: rows_make(args.rows, rng))
    path, _ = timed("write file", args.rows, lambda: file_write(rows, args.format, work))
    print(f"  file: {path.stat().st_size / 1048576:.1f} MiB", flush=True)
    total = 0.0
    jobs = []
    for attempt in ("first import", "same file again"):
        print(f"{attempt}:", flush=True)
        job, s_upload, s_check = import_dry_run(
            path,
            actor=dispatcher,
            rows=args.rows,
            label="upload check (format, encoding)",
            source_system="市12345平台",
            default_kind="complaint",
        )
        print(
            f"    total={job.total:,} valid={job.valid:,} existing={job.existing:,} rejected={job.rejected:,}"
        )
        s_run = 0.0
        if job.valid:
            services.import_job_start(actor=dispatcher, job_id=job.pk)
            job, s_run = timed(
                "import (import_job_run)", args.rows, partial(services.import_job_run, job.pk)
            )
            print(
                f"    status={job.status} created={job.created:,} existing={job.existing:,} rejected={job.rejected:,}"
            )
        if attempt == "first import":
            total = s_upload + s_check + s_run
            print(f"  upload + dry run + import: {total:.1f} s ({args.rows / total:,.0f} rows/s)")
        jobs.append(job)
    print(
        f"imported appeals in the database: {Appeal.objects.filter(channel=Channel.IMPORT).count():,}"
    )

    # Triage: one task per batch (what the import does) vs one task per appeal, and the work
    # itself per appeal, measured on samples.
    from django_tasks_db.models import DBTaskResult

    from minxin.triage.services import appeal_triage
    from minxin.triage.tasks import triage_waiting_task

    ids = list(
        Appeal.objects.filter(channel=Channel.IMPORT).order_by("pk").values_list("pk", flat=True)
    )
    batches = DBTaskResult.objects.filter(
        task_path="minxin.imports.tasks.triage_imported_appeals_task"
    ).count()
    print(f"triage: {batches} batch tasks enqueued for {len(ids):,} appeals")
    before = set(DBTaskResult.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    for _ in ids[: args.enqueue_sample]:
        triage_waiting_task.enqueue()  # a task row each, as one per appeal would write
    per = (time.perf_counter() - started) / max(1, min(len(ids), args.enqueue_sample))
    DBTaskResult.objects.exclude(pk__in=before).delete()
    print(
        f"  one task per appeal would cost {per * 1000:.2f} ms to enqueue each: {per * len(ids):.0f} s for {len(ids):,}"
    )
    sample = ids[: args.triage_sample]
    started = time.perf_counter()
    for appeal_id in sample:
        appeal_triage(appeal_id=appeal_id, auto_dispatch=False)
    per = (time.perf_counter() - started) / max(1, len(sample))
    print(
        f"  triage itself: {per * 1000:.1f} ms per appeal: {per * len(ids) / 60:.0f} min of worker time for {len(ids):,}"
    )


if __name__ == "__main__":
    main()
