# ruff: noqa: E402, E501
"""民心工程 import and report benchmark: an office's sheet of `--projects` projects with
`--targets` targets each (one row per target, the project's columns repeated, a milestone on
four of its rows, ~1 % of the projects with a bad row), through the very functions the
background tasks call (`import_job_check`, `import_job_run`); then the same file again (the
dry run finds every project already there: nothing new); then the programme report of the
imported programme as Excel and PDF (`projects.report`), as the office would download it.

Against the database in DATABASE_URL (migrated here first, not timed; the demo directory is
seeded if it has no units). Each run imports into a new programme.

    psql -h 127.0.0.1 -U postgres -c 'create database minxin_bench_import'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_bench_import nice -n 10 \\
        .venv/bin/python bench/project_import.py --projects 2000 --targets 10
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import django
import django_env  # noqa: F401 - first: the repository on the path, settings named

django.setup()

from django.db import connection

from bench.timing import import_dry_run, import_work, timed, xlsx_write

HEADER = [
    "项目名称",
    "类别",
    "牵头单位",
    "配合单位",
    "地点/街道",
    "计划开工",
    "计划完成",
    "预算（万元）",
    "指标名称",
    "目标值",
    "计量单位",
    "责任单位",
    "节点名称",
    "节点计划完成",
]
KINDS = ["旧区改造", "加装电梯", "早餐工程", "社区养老服务设施", "老旧小区改造", "学校体育场地开放"]
TARGETS = [
    ("改造面积", "平方米"),
    ("受益居民", "户"),
    ("加装电梯", "台"),
    ("早餐网点", "个"),
    ("养老床位", "张"),
    ("开放场地", "个"),
    ("雨污分流管网", "米"),
    ("屋面修缮", "平方米"),
    ("外墙整治", "平方米"),
    ("停车位", "个"),
]
MILESTONES = ["意见征询", "设计审批", "施工", "竣工验收"]


def rows_make(projects: int, targets: int, rng: random.Random) -> list[list[Any]]:
    from minxin.directory.models import Region, RegionLevel, Unit

    units = list(Unit.objects.filter(is_active=True).values_list("name", flat=True))
    streets = list(
        Region.objects.filter(level=RegionLevel.SUBDISTRICT).values_list("name", flat=True)
    ) or [""]
    rows: list[list[Any]] = []
    for p in range(projects):
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(90))
        end = start + timedelta(days=rng.randrange(180, 330))
        lead, assisting, street = rng.choice(units), rng.choice(units), rng.choice(streets)
        budget = rng.randrange(50, 5000)
        bad = rng.random() < 0.01
        span = (end - start).days
        for t in range(targets):
            name, measure = TARGETS[t % len(TARGETS)]
            milestone = ["", ""]
            if t < len(MILESTONES):
                due = start + timedelta(days=span * (t + 1) // len(MILESTONES))
                milestone = [MILESTONES[t], due.isoformat()]
            row: list[Any] = [
                f"{street}民心工程项目{p:05d}",
                KINDS[p % len(KINDS)],
                lead,
                assisting,
                street,
                start,
                end,
                budget,
                name if t < len(TARGETS) else f"{name}{t}",
                rng.randrange(1, 100_000),
                measure,
                rng.choice(units),
                *milestone,
            ]
            if bad and t == targets - 1:
                row[10] = ""  # a target without its unit of measure: the project is refused
            rows.append(row)
    return rows


def file_write(rows: list[list[Any]], directory: Path) -> Path:
    return xlsx_write(directory / "民心工程.xlsx", "民心工程", HEADER, rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--targets", type=int, default=10)
    args = parser.parse_args()

    work = import_work("project-import-bench-")
    from minxin.accounts.models import User
    from minxin.accounts.roles import Role
    from minxin.directory.models import Unit

    if not Unit.objects.exists():
        from minxin.demo.seed import seed_demo

        seed_demo(appeals=0)
    from minxin.imports import services
    from minxin.imports.models import ImportKind
    from minxin.projects.models import Milestone, Programme, Project, ProjectEvent, Target
    from minxin.projects.report import programme_report, report_pdf, report_xlsx

    office = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    assert office is not None
    programme = Programme.objects.create(name=f"基准测试计划 {time.time():.0f}", year=2026)
    n_rows = args.projects * args.targets
    print(
        f"backend={connection.vendor} projects={args.projects:,} targets={args.targets} rows={n_rows:,}",
        flush=True,
    )
    rng = random.Random(7)
    rows, _ = timed("generate rows", n_rows, lambda: rows_make(args.projects, args.targets, rng))
    path, _ = timed("write file", n_rows, lambda: file_write(rows, work))
    print(f"  file: {path.stat().st_size / 1048576:.1f} MiB", flush=True)
    for attempt in ("first import", "same file again"):
        print(f"{attempt}:", flush=True)
        job, _, _ = import_dry_run(
            path,
            actor=office,
            rows=n_rows,
            label="upload check (format, header)",
            source_system="",
            default_kind="",
            kind=ImportKind.PROJECTS,
            programme_id=programme.pk,
        )
        print(
            f"    status={job.status} rows={job.total:,} new projects={job.valid:,} "
            f"existing={job.existing:,} rejected rows={job.rejected:,} {job.summary}",
            flush=True,
        )
        if job.valid:
            services.import_job_start(actor=office, job_id=job.pk)
            job, seconds = timed(
                "import (import_job_run)", n_rows, partial(services.import_job_run, job.pk)
            )
            print(
                f"    status={job.status} created={job.created:,} existing={job.existing:,} "
                f"rejected rows={job.rejected:,}  ({job.created / seconds:,.1f} projects/s)",
                flush=True,
            )
    projects = Project.objects.filter(programme=programme)
    print(
        f"in the programme: {projects.count():,} projects, "
        f"{Target.objects.filter(project__in=projects).count():,} targets, "
        f"{Milestone.objects.filter(project__in=projects).count():,} milestones, "
        f"{ProjectEvent.objects.filter(project__in=projects).count():,} events"
    )
    print("programme report (as the office):", flush=True)
    report, _ = timed(
        "read (programme_report)", n_rows, lambda: programme_report(office, programme.pk)
    )
    xlsx, _ = timed("Excel (report_xlsx)", n_rows, lambda: report_xlsx(report))
    pdf, _ = timed("PDF (report_pdf)", n_rows, lambda: report_pdf(report))
    print(f"  Excel {len(xlsx) / 1048576:.1f} MiB, PDF {len(pdf) / 1048576:.1f} MiB")


if __name__ == "__main__":
    main()
