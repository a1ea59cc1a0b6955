"""Grow a seeded PostgreSQL database to a longer history by copying its closed appeals back in
time, for the 10,000,000-appeal dashboard benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_bench_10m \\
        .venv/bin/python bench/amplify_pg.py --copies 9 --shift-days 91
    # one more copy of the seed only (ids up to 1,000,000), the tenth, 910 days back:
    ... bench/amplify_pg.py --copies 1 --start 10 --source-max-id 1000000
    minxin metrics_rebuild --pending-only --workers 2

`seed_demo` writes about 900 appeals/s with their whole history (3 hours for 10 million on this
machine), so the 10M database is made from a 1M seed: copy k (1..N) of every closed appeal
(archived, rated, invalid, merged into a closed one, ...) is received k × 91 days earlier, with
its assignments, replies and the events the metrics read (resolve, reopen, rate, return,
resume: 1.7 of the 8 events an appeal has on average; copying all of them would take this disk
and an hour more) moved by the same amount, new ids and a tracking number prefixed "C<k>-".
Open appeals are not copied (a real history has few open appeals left from years ago). Nothing
is derived: the copies get change rows, and `metric_facts_apply` counts them from their rows
like any other appeal. Each copy is one INSERT ... SELECT per table, in SQL; the search index's
rows (core/search.py) are copied from the source's, and its GIN index is built once at the end.
"""

# ruff: noqa: S608 - SQL built from our own table and column names, no input
from __future__ import annotations

import argparse
import time

import django_env  # noqa: F401 - first: the repository on the path, settings named

CHILDREN = ("cases_appealevent", "cases_assignment", "cases_reply")
METRIC_EVENTS = ("resolve", "reopen", "rate", "rate_dissatisfied", "return", "resume")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--shift-days", type=int, default=91)
    parser.add_argument("--start", type=int, default=1, help="number of the first copy")
    parser.add_argument(
        "--source-max-id", type=int, default=0, help="copy only appeals up to this id (the seed)"
    )
    parser.add_argument(
        "--lists-only",
        action="store_true",
        help="copy the appeals and their assignments only (what the staff lists read): no "
        "events, replies, figures' changes or search rows (the copies are not searchable)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction

    from minxin.cases.workflow import OPEN_STATUSES

    assert connection.vendor == "postgresql", "PostgreSQL only"
    with connection.cursor() as cursor:

        def columns(table: str) -> list[tuple[str, str]]:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s ORDER BY ordinal_position",
                [table],
            )
            return list(cursor.fetchall())

        def max_id(table: str) -> int:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return int(cursor.fetchone()[0])

        open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
        cursor.execute("DROP TABLE IF EXISTS bench_copy_ids")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_copy_ids AS SELECT a.id FROM cases_appeal a "
            f"WHERE a.status NOT IN ({open_list}) "
            + (f"AND a.id <= {args.source_max_id} " if args.source_max_id else "")
            + "AND (a.merged_into_id IS NULL OR EXISTS "
            "(SELECT 1 FROM cases_appeal t WHERE t.id = a.merged_into_id "
            f"AND t.status NOT IN ({open_list})))"
        )
        cursor.execute("SELECT COUNT(*) FROM bench_copy_ids")
        per_copy = cursor.fetchone()[0]
        print(f"{per_copy:,} closed appeals per copy, {args.copies} copies")
        tables = ("cases_appeal", *(("cases_assignment",) if args.lists_only else CHILDREN))
        offsets = {t: max_id(t) + 1 for t in tables}
        cols = {t: columns(t) for t in tables}

        def select_list(table: str, k: int) -> str:
            shift = k * args.shift_days
            out = []
            for name, kind in cols[table]:
                if name == "id":
                    out.append(f"id + {k * offsets[table]}")
                elif name in ("appeal_id", "merged_into_id"):
                    out.append(f"{name} + {k * offsets['cases_appeal']}")
                elif name == "tracking_number":
                    out.append(f"'C{k}-' || tracking_number")
                elif name == "submission_key":
                    out.append("NULL")
                elif kind == "timestamp with time zone":
                    out.append(f"{name} - interval '{shift} days'")
                elif kind == "date":
                    out.append(f"{name} - {shift}")
                else:
                    out.append(name)
            return ", ".join(out)

        # The search index (core/search.py) of a copy is its source's (the same title and
        # words): its rows are copied in one statement instead of the per-row trigger computing
        # each appeal's bigrams again, and its GIN index is built once at the end (inserting
        # into it took 35 s of each copy's 42).
        search = "cases_appeal_search"
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [search])
        indexed = bool(cursor.fetchone()[0])
        trigger = "cases_appeal_search_sync_insert"
        metric_events = " AND action IN (" + ", ".join(f"'{a}'" for a in METRIC_EVENTS) + ")"
        copies_searched = indexed and not args.lists_only
        if indexed:
            cursor.execute(f"ALTER TABLE cases_appeal DISABLE TRIGGER {trigger}")
        if copies_searched:
            cursor.execute("DROP INDEX IF EXISTS cases_appeal_search_grams")
        try:
            for k in range(args.start, args.start + args.copies):
                started = time.perf_counter()
                with transaction.atomic():
                    if copies_searched:
                        cursor.execute(
                            f"INSERT INTO {search} (id, grams) "
                            f"SELECT id + {k * offsets['cases_appeal']}, grams FROM {search} "
                            "WHERE id IN (SELECT id FROM bench_copy_ids)"
                        )
                    for table in tables:
                        names = ", ".join(name for name, _ in cols[table])
                        key = "id" if table == "cases_appeal" else "appeal_id"
                        only = metric_events if table == "cases_appealevent" else ""
                        cursor.execute(
                            f"INSERT INTO {table} ({names}) SELECT {select_list(table, k)} "
                            f"FROM {table} WHERE {key} IN (SELECT id FROM bench_copy_ids){only}"
                        )
                    if not args.lists_only:
                        cursor.execute(
                            "INSERT INTO cases_changedappeal (appeal_id, created_at) "
                            f"SELECT id + {k * offsets['cases_appeal']}, now() "
                            "FROM bench_copy_ids"
                        )
                print(f"copy {k}: {time.perf_counter() - started:.0f} s", flush=True)
        finally:
            if indexed:
                cursor.execute(f"ALTER TABLE cases_appeal ENABLE TRIGGER {trigger}")
            if copies_searched:
                started = time.perf_counter()
                cursor.execute("SET maintenance_work_mem = '512MB'")
                cursor.execute(
                    f"CREATE INDEX cases_appeal_search_grams ON {search} USING gin (grams)"
                )
                print(f"search index: {time.perf_counter() - started:.0f} s", flush=True)
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
            )
        cursor.execute("DROP TABLE bench_copy_ids")
        cursor.execute("SELECT COUNT(*) FROM cases_appeal")
        print(f"appeals now {cursor.fetchone()[0]:,}")


if __name__ == "__main__":
    main()
