"""One appeal table of a province, partitioned by jurisdiction and month, against the same rows
in one plain table (issue 17; docs/deploy.md, "A province: partitioned tables").

    .venv/bin/python bench/partitions.py [--appeals 10000000] [--districts 10] [--months 36]

In a database of its own (`bench_partitions`, made again each run), two tables with the columns
the lists and figures read (id, jurisdiction, received_at, status, region, category, tracking
number, title):

- `appeal_plain`: one table, the indexes minxin has on cases_appeal today (received_at; status
  and received_at; region and received_at), each led by the jurisdiction as a province would;
- `appeal_part`: PARTITION BY LIST (jurisdiction_id), each district's table PARTITION BY
  RANGE (received_at), one partition a month; the same indexes, declared once on the parent,
  and one of id alone (the key must hold the partition columns: (jurisdiction, received_at, id)).

Both are filled from the same generate_series in SQL: every district gets the same share, the
appeals spread evenly over the months, 5 % still open; then vacuumed and analysed. Then each
query below is run `--runs` times (after one warm-up) through psycopg, and its median and p95
printed with the partitions in its plan and those it read:

- a district's newest page (the staff list's first page), and its page 40;
- a district's open appeals, counted (the figure pages);
- one district's month, counted (the monthly report);
- the whole province's month, counted (a city leader's view);
- an appeal by id alone, and by id with what its tracking number gives (district and day);
- retiring a month: DETACH PARTITION against DELETE of the same rows.

The machine may be shared: the CPU other processes used meanwhile is printed.
"""

# ruff: noqa: S608 - SQL of our own table names and numbers, no input
from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
from timing import busy_ticks  # the sibling module: these run as scripts from bench/

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "bench_partitions"
URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
START = datetime(2024, 1, 1, tzinfo=UTC)
TICK = os.sysconf("SC_CLK_TCK")

COLUMNS = """
    id bigint NOT NULL,
    jurisdiction_id integer NOT NULL,
    received_at timestamptz NOT NULL,
    status varchar(20) NOT NULL,
    region_id integer NOT NULL,
    category_id integer NOT NULL,
    tracking_number varchar(20) NOT NULL,
    title varchar(200) NOT NULL
"""
INDEXES = (
    "(jurisdiction_id, received_at)",
    "(jurisdiction_id, status, received_at)",
    "(jurisdiction_id, region_id, received_at)",
)
# The partitioned table's key must hold the partition columns, so its id has an index of its
# own (in each partition: PostgreSQL has no index across partitions).
PART_INDEXES = ("(id)",)


def _month(k: int) -> datetime:
    year, month = divmod(START.month - 1 + k, 12)
    return START.replace(year=START.year + year, month=month + 1)


def schema(db: psycopg.Connection, districts: int, months: int) -> None:
    db.execute(f"CREATE TABLE appeal_plain ({COLUMNS}, PRIMARY KEY (id))")
    db.execute(
        f"CREATE TABLE appeal_part ({COLUMNS}, PRIMARY KEY (jurisdiction_id, received_at, id))"
        " PARTITION BY LIST (jurisdiction_id)"
    )
    for d in range(1, districts + 1):
        db.execute(
            f"CREATE TABLE appeal_part_d{d} PARTITION OF appeal_part FOR VALUES IN ({d})"
            " PARTITION BY RANGE (received_at)"
        )
        for k in range(months):
            db.execute(
                f"CREATE TABLE appeal_part_d{d}_m{k} PARTITION OF appeal_part_d{d} "
                f"FOR VALUES FROM ('{_month(k).isoformat()}') TO ('{_month(k + 1).isoformat()}')"
            )


def fill(db: psycopg.Connection, table: str, appeals: int, districts: int, months: int) -> float:
    """The same rows in either table: row n's district, time and status follow from n."""
    span = (_month(months) - START).total_seconds()
    started = time.monotonic()
    db.execute(
        f"""INSERT INTO {table} SELECT
            n,
            1 + n % {districts},
            TIMESTAMPTZ '{START.isoformat()}'
                + ((n - 1)::float8 / {appeals} * {span}) * INTERVAL '1 s',
            CASE WHEN (n / 10) % 20 = 0 THEN 'in_progress' ELSE 'archived' END,
            (n / 7) % 150,
            (n / 3) % 400,
            to_char(TIMESTAMPTZ '{START.isoformat()}' + ((n - 1)::float8 / {appeals} * {span})
                * INTERVAL '1 s', 'YYYYMMDD') || lpad((n % 100000)::text, 5, '0'),
            '小区路灯不亮 ' || n
        FROM generate_series(1, {appeals}) AS n"""
    )
    extra = PART_INDEXES if table == "appeal_part" else ()
    for number, columns in enumerate(INDEXES + extra):
        db.execute(f"CREATE INDEX {table}_i{number} ON {table} {columns}")
    db.execute(f"VACUUM (ANALYZE) {table}")  # as autovacuum leaves a live table
    return time.monotonic() - started


def timed(db: psycopg.Connection, sql: str, runs: int) -> tuple[float, float, str]:
    """Median and p95 in ms, and the partitions in the plan / those it read."""
    plan = [r[0] for r in db.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}").fetchall()]
    scans = [line for line in plan if " on appeal_part_" in line]
    read = sum(1 for line in scans if "never executed" not in line)
    db.execute(sql).fetchall()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        db.execute(sql).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return statistics.median(times), p95, f"{len(scans)} / {read}"


def queries(district: int, month: datetime, after: datetime, appeal_id: int) -> dict[str, str]:
    day = (
        f"received_at >= '{after.isoformat()}' AND "
        f"received_at < '{after.isoformat()}'::timestamptz + INTERVAL '1 day'"
    )
    month_range = (
        f"received_at >= '{month.isoformat()}' AND "
        f"received_at < '{month.isoformat()}'::timestamptz + INTERVAL '1 month'"
    )
    return {
        "district's newest page": f"SELECT * FROM T WHERE jurisdiction_id = {district} "
        "ORDER BY received_at DESC LIMIT 25",
        "district's page 40": f"SELECT * FROM T WHERE jurisdiction_id = {district} "
        "ORDER BY received_at DESC LIMIT 25 OFFSET 975",
        "district's open, counted": f"SELECT COUNT(*) FROM T WHERE jurisdiction_id = {district} "
        "AND status = 'in_progress'",
        "district's month, counted": f"SELECT COUNT(*) FROM T WHERE jurisdiction_id = {district} "
        f"AND {month_range}",
        "province's month, counted": f"SELECT COUNT(*) FROM T WHERE {month_range}",
        "by id alone": f"SELECT * FROM T WHERE id = {appeal_id}",
        "by id, district and day": f"SELECT * FROM T WHERE id = {appeal_id} "
        f"AND jurisdiction_id = {district} AND {day}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=10_000_000)
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    other_start, wall_start = busy_ticks(), time.monotonic()
    with psycopg.connect(URL, autocommit=True) as db:
        db.execute("SET jit = off")
        schema(db, args.districts, args.months)
        for table in ("appeal_plain", "appeal_part"):
            seconds = fill(db, table, args.appeals, args.districts, args.months)
            size = db.execute(
                f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))"
            ).fetchone()
            if table == "appeal_part":
                size = db.execute(
                    "SELECT pg_size_pretty(SUM(pg_total_relation_size(c.oid))) FROM pg_class c "
                    "WHERE c.relname LIKE 'appeal_part_d%' AND c.relkind = 'r'"
                ).fetchone()
            assert size is not None
            print(
                f"{table}: {args.appeals:,} appeals written and indexed in {seconds:.0f} s, "
                f"{size[0]}"
            )
        district, k = 3, args.months - 2
        row = db.execute(
            "SELECT id, received_at FROM appeal_plain WHERE jurisdiction_id = %s "
            "AND received_at >= %s ORDER BY received_at LIMIT 1",
            [district, _month(k) + (_month(k + 1) - _month(k)) / 2],
        ).fetchone()
        assert row is not None
        day = row[1].replace(hour=0, minute=0, second=0, microsecond=0)
        print(
            "\n| query | plain p50 / p95 ms | partitioned p50 / p95 ms "
            "| partitions planned / read |"
        )
        print("|---|---:|---:|---:|")
        for name, sql in queries(district, _month(k), day, row[0]).items():
            plain = timed(db, sql.replace("FROM T", "FROM appeal_plain"), args.runs)
            part = timed(db, sql.replace("FROM T", "FROM appeal_part"), args.runs)
            print(
                f"| {name} | {plain[0]:.2f} / {plain[1]:.2f} | "
                f"{part[0]:.2f} / {part[1]:.2f} | {part[2]} |"
            )
        retire(db, args.districts)
    wall = time.monotonic() - wall_start
    busy = (busy_ticks() - other_start) / TICK / wall / (os.cpu_count() or 1)
    print(f"\nCPU of the whole machine meanwhile: {busy:.0%} (this run's PostgreSQL included)")


def retire(db: psycopg.Connection, districts: int) -> None:
    """The oldest month of one district out of the live table: detached, or deleted."""
    month = f"received_at >= '{_month(0).isoformat()}' AND received_at < '{_month(1).isoformat()}'"
    rows = db.execute(
        f"SELECT COUNT(*) FROM appeal_plain WHERE jurisdiction_id = 1 AND {month}"
    ).fetchone()
    held = rows[0] if rows else 0
    results: dict[str, float] = {}
    steps: dict[str, Callable[[], object]] = {
        "DELETE from the plain table": lambda: db.execute(
            f"DELETE FROM appeal_plain WHERE jurisdiction_id = 1 AND {month}"
        ),
        "DETACH PARTITION": lambda: db.execute(
            "ALTER TABLE appeal_part_d1 DETACH PARTITION appeal_part_d1_m0"
        ),
    }
    for name, step in steps.items():
        started = time.perf_counter()
        step()
        results[name] = (time.perf_counter() - started) * 1000
    print(f"\nretiring one district's oldest month ({held:,} appeals; {districts} districts):")
    for name, ms in results.items():
        print(f"- {name}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
