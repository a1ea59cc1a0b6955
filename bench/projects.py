"""Time the 民心工程 pages on a large programme: 2,000 projects, 20,000 targets, 200,000
progress reports (PostgreSQL).

    psql -h 127.0.0.1 -U postgres -c 'create database minxin_bench_projects'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_bench_projects \\
        .venv/bin/python bench/projects.py [--runs 30] [--projects 2000] [--appeals 5000]

It migrates the database and seeds the demo district with `--appeals` appeals if it has no
units (neither timed; the appeals are what the project page's suggestions scan). Then, once
(kept for the next run), it builds one programme of `--projects` projects with 10 targets
each, 4 milestones planned backwards, 10 cumulative progress reports per target with their
REPORT events on the timeline, warnings for those behind plan and a letter per project.
These rows are written in bulk (bulk_create, and COPY for the reports and events), not
through the services: a benchmark's data, with the figures the services would keep
(`Target.achieved`, `Project.progress`) computed the same way (`schedule.project_progress`).

Each page is requested through Django's test client, one warm-up then `--runs` times: the
programme page (as the supervision office: page 1, a status filter, page 20), the project page
of a project in progress (about 125 reports), and the unit page (as the handler of the unit
leading the most projects). It prints the median and p95 in ms and the number of queries of
one request.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import django_env  # noqa: F401 - first: the repository on the path, settings named

PROGRAMME = "民心工程（基准测试）"
TARGETS = (
    ("改造面积", "平方米", 5000, 80000),
    ("受益居民", "户", 100, 2000),
    ("加装电梯", "台", 5, 60),
    ("早餐网点", "个", 3, 40),
    ("长者食堂", "个", 1, 8),
    ("养老床位", "张", 20, 300),
    ("开放学校", "个", 2, 20),
    ("管网更新", "米", 500, 12000),
    ("停车泊位", "个", 20, 400),
    ("绿化提升", "平方米", 1000, 30000),
    ("充电设施", "台", 10, 200),
    ("屋面防水", "平方米", 2000, 40000),
)
KINDS = ("old_area", "elevator", "breakfast", "elderly", "estate", "sports", "other")
# Status shares of a programme late in its year.
STATUSES = (
    ("in_progress", 50),
    ("completed", 15),
    ("accepted", 10),
    ("planned", 10),
    ("suspended", 5),
    ("candidate", 10),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--targets", type=int, default=10, help="targets per project")
    parser.add_argument(
        "--reports", type=int, default=200_000, help="reports, spread over the started targets"
    )
    parser.add_argument("--appeals", type=int, default=5000, help="appeals of a fresh seed")
    args = parser.parse_args()

    from bench.timing import pages_setup

    pages_setup(appeals=args.appeals)

    from minxin.projects.models import Programme

    programme = Programme.objects.filter(name=PROGRAMME).first()
    if programme is None:
        began = time.perf_counter()
        programme = _build(args)
        print(f"built the programme in bulk: {time.perf_counter() - began:.1f} s")
    _measure(programme, runs=args.runs)


# --- the data ----------------------------------------------------------------------------


def _build(args: argparse.Namespace) -> Any:
    from django.db import connection, transaction
    from django.utils import timezone

    from minxin.accounts.models import User
    from minxin.accounts.roles import Role
    from minxin.directory.models import Region, RegionLevel
    from minxin.projects.models import (
        Milestone,
        Programme,
        ProgressReport,
        Project,
        ProjectEvent,
        ProjectWarning,
        ResponsibilityLetter,
        Target,
        TargetYear,
    )
    from minxin.projects.schedule import (
        Step,
        backward_plan,
        is_behind,
        project_progress,
        time_share,
    )

    rng = random.Random(7)
    today = timezone.localdate()
    handlers = list(User.objects.filter(role=Role.HANDLER, unit__isnull=False).order_by("pk"))
    supervisor = User.objects.get(username="supervisor")
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("pk"))
    weights = [w for _, w in STATUSES]
    with transaction.atomic():
        programme = Programme.objects.create(name=PROGRAMME, year=today.year)
        projects: list[Project] = []
        for i in range(args.projects):
            status = rng.choices([s for s, _ in STATUSES], weights)[0]
            start = today - timedelta(days=rng.randint(30, 330))
            if status in ("planned", "candidate"):
                start = today + timedelta(days=rng.randint(5, 120))
            end = start + timedelta(days=rng.randint(200, 500))
            if status in ("completed", "accepted"):
                end = today - timedelta(days=rng.randint(5, 25))
                start = min(start, end - timedelta(days=120))
            lead = handlers[rng.randrange(len(handlers))]
            created = _aware(start - timedelta(days=30))
            projects.append(
                Project(
                    programme=programme,
                    name=f"{communities[i % len(communities)].name}{TARGETS[i % 12][0]}工程{i:04d}",
                    kind=KINDS[i % len(KINDS)],
                    summary="基准测试项目",
                    lead_unit_id=lead.unit_id,
                    budget=Decimal(rng.randint(50, 20000)),
                    start_date=start,
                    end_date=end,
                    status=status,
                    started_at=_aware(start) if status not in ("planned", "candidate") else None,
                    completed_at=_aware(end - timedelta(days=3))
                    if status in ("completed", "accepted")
                    else None,
                    accepted_at=_aware(end) if status == "accepted" else None,
                    created_by=supervisor,
                    created_at=created,
                    updated_at=created,
                )
            )
        Project.objects.bulk_create(projects, batch_size=1000)
        Project.regions.through.objects.bulk_create(
            [
                Project.regions.through(
                    project_id=p.pk, region_id=communities[i % len(communities)].pk
                )
                for i, p in enumerate(projects)
            ],
            batch_size=5000,
        )
        Project.assisting_units.through.objects.bulk_create(
            [
                Project.assisting_units.through(
                    project_id=p.pk, unit_id=handlers[(i * 7 + 3) % len(handlers)].unit_id
                )
                for i, p in enumerate(projects)
                if handlers[(i * 7 + 3) % len(handlers)].unit_id != p.lead_unit_id
            ],
            batch_size=5000,
        )

        targets: list[Target] = []
        milestones: list[Milestone] = []
        for p in projects:
            for k in range(args.targets):
                name, measure, low, high = TARGETS[(p.pk + k) % len(TARGETS)]
                targets.append(
                    Target(
                        project=p,
                        name=name,
                        measure=measure,
                        value=Decimal(rng.randint(low, high)),
                        unit_id=p.lead_unit_id,
                        position=k,
                    )
                )
            days = (p.end_date - p.start_date).days + 1
            plan = backward_plan(p.end_date, [Step(days // 4)] * 4)
            for k, (s, e) in enumerate(plan):
                done = e <= today and (p.status != "in_progress" or rng.random() < 0.8)
                milestones.append(
                    Milestone(
                        project=p,
                        name=("前期准备", "方案审批", "施工", "验收")[k],
                        duration_days=days // 4,
                        planned_start=s,
                        planned_end=e,
                        done_on=e if done else None,
                        position=k,
                    )
                )
        Target.objects.bulk_create(targets, batch_size=5000)
        Milestone.objects.bulk_create(milestones, batch_size=5000)
        multi = [t for t in targets if t.project.end_date.year > t.project.start_date.year]
        TargetYear.objects.bulk_create(
            [
                TargetYear(target=t, year=t.project.start_date.year, value=t.value / 2)
                for t in multi[::3]
            ],
            batch_size=5000,
        )

        # Reports and their timeline events, with the values the services would keep.
        reports: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        achieved: dict[int, Decimal] = {}
        per_project: dict[int, list[tuple[Decimal, Decimal]]] = {}
        by_pk = {p.pk: p for p in projects}
        started = [t for t in targets if by_pk[t.project_id].started_at is not None]
        each, extra = divmod(args.reports, max(len(started), 1))
        for t in targets:
            p = by_pk[t.project_id]
            if p.started_at is None:
                per_project.setdefault(p.pk, []).append((Decimal(0), t.value))
                continue
            share = {"completed": 1.1, "accepted": 1.05}.get(p.status, 0.0) or (
                time_share(p.start_date, p.end_date, today) / 100 * rng.uniform(0.6, 1.15)
            )
            stop = p.completed_at or _aware(today)
            span = (stop - p.started_at).total_seconds()
            previous = Decimal(0)
            count = each + (1 if extra > 0 else 0)
            extra -= 1
            for n in range(1, count + 1):
                value = (t.value * Decimal(share * n / count)).quantize(Decimal("0.01"))
                at = p.started_at + timedelta(seconds=span * n / (count + 1))
                reports.append((t.pk, p.pk, p.lead_unit_id, value, previous, False, "", at))
                payload = {"target": t.name, "value": str(value), "previous": str(previous)}
                events.append(
                    (
                        p.pk,
                        p.lead_unit_id,
                        "handler",
                        "report",
                        p.status,
                        p.status,
                        "",
                        json.dumps(payload, ensure_ascii=False),
                        at,
                    )
                )
                previous = value
            achieved[t.pk] = previous
            per_project.setdefault(p.pk, []).append((previous, t.value))
        report_cols = (
            "target_id",
            "project_id",
            "unit_id",
            "value",
            "previous",
            "is_correction",
            "note",
            "reported_at",
        )
        event_cols = (
            "project_id",
            "actor_unit_id",
            "actor_role",
            "action",
            "from_status",
            "to_status",
            "reason",
            "payload",
            "created_at",
        )
        _copy(ProgressReport, report_cols, reports)
        _copy(ProjectEvent, event_cols, events)
        creates = [
            (p.pk, None, "supervisor", "create", "", "candidate", "", "{}", p.created_at)
            for p in projects
        ]
        _copy(ProjectEvent, event_cols, creates)

        for t in targets:
            t.achieved = achieved.get(t.pk, Decimal(0))
            t.reported_at = _aware(today) if t.pk in achieved else None
        Target.objects.bulk_update(targets, ["achieved", "reported_at"], batch_size=5000)
        for p in projects:
            p.progress = project_progress(per_project.get(p.pk, []))
        Project.objects.bulk_update(projects, ["progress"], batch_size=2000)

        week = today.isocalendar()
        ProjectWarning.objects.bulk_create(
            [
                ProjectWarning(
                    project=p,
                    kind="behind",
                    ref=f"{week.year}-W{week.week:02d}",
                    progress=p.progress,
                    time_share=time_share(p.start_date, p.end_date, today),
                )
                for p in projects
                if p.status == "in_progress"
                and is_behind(p.progress, time_share(p.start_date, p.end_date, today), 10)
            ],
            batch_size=2000,
        )
        letters = ResponsibilityLetter.objects.bulk_create(
            [
                ResponsibilityLetter(
                    project=p,
                    unit_id=p.lead_unit_id,
                    signatories="基准测试",
                    signed_on=p.start_date,
                )
                for p in projects
                if p.status != "candidate"
            ],
            batch_size=2000,
        )
        first_target = {t.project_id: t.pk for t in targets if t.position == 0}
        ResponsibilityLetter.targets.through.objects.bulk_create(
            [
                ResponsibilityLetter.targets.through(
                    responsibilityletter_id=letter.pk, target_id=first_target[letter.project_id]
                )
                for letter in letters
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{len(projects):,} projects, {len(targets):,} targets, {len(milestones):,} milestones, "
        f"{len(reports):,} reports, {len(events) + len(creates):,} events"
    )
    return programme


def _aware(day: date) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=10)))


def _copy(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL (a tenth of bulk_create's time for 200,000 rows)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000
        )
        return
    table = model._meta.db_table
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


# --- the timings -------------------------------------------------------------------------


def _measure(programme: Any, *, runs: int) -> None:
    from django.db import connection
    from django.urls import reverse

    from bench.timing import page_timings, programme_clients, queries_counted
    from minxin.projects.models import ProgressReport, Project, Target

    projects = Project.objects.filter(programme=programme)
    office, unit, leads = programme_clients(projects)
    sample = projects.filter(status="in_progress").order_by("pk").first()
    assert sample is not None
    print(
        f"backend {connection.vendor}; projects {projects.count():,}; "
        f"targets {Target.objects.filter(project__programme=programme).count():,}; "
        f"reports {ProgressReport.objects.filter(project__programme=programme).count():,}; "
        f"the unit page's unit leads {leads} projects"
    )
    overview = reverse("projects:programme_detail", args=[programme.pk])
    pages = [
        ("programme page", office, overview),
        ("programme, in progress", office, overview + "?status=in_progress"),
        ("programme, page 20", office, overview + "?page=20"),
        ("project page", office, reverse("projects:project_detail", args=[sample.pk])),
        ("unit page", unit, reverse("projects:unit_projects")),
    ]
    print(f"{'page':<24} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for label, client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with queries_counted() as queries:
            client.get(url)
        timings = page_timings(client, url, runs=runs)
        print(f"{label:<24} {len(queries):>7} {timings.median:>10.1f} {timings.p95:>8.1f}")


if __name__ == "__main__":
    main()
