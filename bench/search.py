"""Time the staff appeal lists and the full-text search on a big PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_search_1m \\
        .venv/bin/python bench/search.py --runs 30

The database: `minxin seed_demo --appeals 100000`, then `bench/amplify_pg.py --copies 10`
(ten back-dated copies of the closed appeals: ~1,030,000 appeals), then `minxin migrate`, which
builds the search index of every appeal (minxin/core/search.py). The script runs `migrate`,
`createcachetable` and `VACUUM (ANALYZE)` first (untimed), then requests each page through
Django's test client (DEBUG off), one warm-up and `--runs` timed requests, as the demo
supervisor (whole district) and a street's handler (its unit's queue), and prints the median
and the p95 in milliseconds, the rows the page had (25 a page), and the matches of each search
(counted apart, untimed).

The machine may be shared: the script reports the CPU used meanwhile by other processes
(all CPU time in /proc/stat, less this process and its PostgreSQL backend), as a share of the
machine's cores.
"""

from __future__ import annotations

import argparse
import os
import time

import django_env  # noqa: F401 - first: the repository on the path, settings named

from bench.timing import busy_ticks

TICK = os.sysconf("SC_CLK_TCK")


def _process_ticks(pid: int | str) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class OtherLoad:
    """CPU used by other processes while measuring (the PostgreSQL server must be local)."""

    def __init__(self, backend_pid: int) -> None:
        self.backend_pid = backend_pid

    def __enter__(self) -> OtherLoad:
        self.start = (time.monotonic(), busy_ticks(), _process_ticks("self"))
        self.backend_start = _process_ticks(self.backend_pid)
        return self

    def __exit__(self, *exc: object) -> None:
        wall0, busy0, own0 = self.start
        wall = time.monotonic() - wall0
        ours = _process_ticks("self") - own0 + _process_ticks(self.backend_pid) - self.backend_start
        other = (busy_ticks() - busy0 - ours) / TICK
        self.share = max(0.0, other / wall / (os.cpu_count() or 1))
        self.ours = ours / TICK / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--user", default="supervisor")
    parser.add_argument("--handler", default="")
    parser.add_argument("--no-migrate", action="store_true")
    parser.add_argument(
        "--lists-only",
        action="store_true",
        help="the lists, filters, deep pages and the unit's queue; no word searched (a "
        "database amplified with --lists-only: its copies are not in the search index)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    assert connection.vendor == "postgresql", "PostgreSQL only"
    if not args.no_migrate:
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)  # the pages' cache (DatabaseCache)
        print(f"migrate (the search index built if new): {time.perf_counter() - began:.1f} s")
    with connection.cursor() as cursor:
        # A live database is vacuumed by autovacuum: the visibility map lets the unit's
        # assignments be read from their index alone, as they would be in service.
        began = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE)")
        print(f"VACUUM (ANALYZE): {time.perf_counter() - began:.1f} s")
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    _measure(
        runs=args.runs,
        username=args.user,
        handler=args.handler,
        backend=backend,
        lists_only=args.lists_only,
    )


def _cases() -> list[tuple[str, str, str, dict[str, str]]]:
    """(user, label, url, query): the lists, filters, deep pages and searches measured."""
    from minxin.cases.models import Appeal
    from minxin.directory.models import Category, Region, RegionLevel

    top = Category.objects.filter(parent__isnull=True).order_by("id").first()
    street = Region.objects.filter(level=RegionLevel.SUBDISTRICT).order_by("id").first()
    number = Appeal.objects.order_by("id").values_list("tracking_number", flat=True)[500]
    lst, queue = "/console/appeals/", "/console/unit/"
    return [
        ("staff", "first page", lst, {}),
        ("staff", "filter: in progress (open)", lst, {"status": "open"}),
        ("staff", "filter: overdue", lst, {"overdue": "on"}),
        (
            "staff",
            "filter: category + street",
            lst,
            {"category": f"{top.pk}", "region": f"{street.pk}"},
        ),
        (
            "staff",
            "filter: archived, received in 2025",
            lst,
            {"status": "archived", "received_from": "2025-01-01", "received_to": "2025-12-31"},
        ),
        ("staff", "deep page 200", lst, {"page": "200"}),
        ("staff", "deep page 400 (the count's cap)", lst, {"page": "400"}),
        ("staff", "deep page 200, archived", lst, {"status": "archived", "page": "200"}),
        ("staff", "search: tracking number", lst, {"q": number}),
        ("staff", "search: 噪音", lst, {"q": "噪音"}),
        ("staff", "search: 电梯", lst, {"q": "电梯"}),
        ("staff", "search: 小区 (very common)", lst, {"q": "小区"}),
        ("staff", "search: 物业 停车", lst, {"q": "物业 停车"}),
        ("staff", "search: 垃圾清运", lst, {"q": "垃圾清运"}),
        ("staff", "search: 麓谷 (rare place)", lst, {"q": "麓谷"}),
        ("staff", "search: 学位 入学 户口", lst, {"q": "学位 入学 户口"}),
        ("staff", "search: 噪音 + open", lst, {"q": "噪音", "status": "open"}),
        ("staff", "search: 小区, page 20", lst, {"q": "小区", "page": "20"}),
        ("staff", "search: nothing found (钢琴课)", lst, {"q": "钢琴课"}),
        ("handler", "unit queue", queue, {}),
        ("handler", "unit queue, all, page 20", queue, {"tab": "all", "page": "20"}),
        ("handler", "unit queue search: 噪音", queue, {"q": "噪音"}),
        ("handler", "unit queue search: 小区", queue, {"q": "小区"}),
    ]


def _matches(q: str, user: object) -> str:
    from minxin.cases.selectors import AppealFilters, appeal_list_for

    if not q:
        return ""
    rows = appeal_list_for(user=user, filters=AppealFilters(q=q)).count()  # type: ignore[arg-type]
    return f"{rows:,}"


def _measure(
    *, runs: int, username: str, handler: str, backend: int, lists_only: bool = False
) -> None:
    from django.db.models import Count
    from django.test import Client

    from bench.timing import page_timings
    from minxin.accounts.models import User
    from minxin.accounts.roles import Role
    from minxin.cases.models import Appeal, Assignment
    from minxin.cases.selectors import is_tracking_number

    staff = User.objects.get(username=username)
    if handler:
        worker = User.objects.get(username=handler)
    else:  # the handler of the unit with the most active assignments
        busiest = (
            Assignment.objects.filter(is_active=True)
            .values("unit_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        worker = User.objects.filter(role=Role.HANDLER, unit_id=busiest["unit_id"]).first()
    users = {"staff": staff, "handler": worker}
    clients = {}
    for key, user in users.items():
        clients[key] = Client()
        clients[key].force_login(user)
    queue = Assignment.objects.filter(unit_id=worker.unit_id, is_active=True).count()
    print(
        f"appeals {Appeal.objects.count():,}; as {staff.username} ({staff.role}) and "
        f"{worker.username} ({worker.unit}, {queue:,} appeals)"
    )
    print(f"{'page':<40} {'matches':>9} {'median ms':>10} {'p95 ms':>8}")
    all_p95 = []
    with OtherLoad(backend) as load:
        for who, label, url, query in _cases():
            if lists_only and "q" in query and not is_tracking_number(query["q"]):
                continue  # a word searched: the copies are not in the search index
            client = clients[who]
            response = client.get(url, query)
            assert response.status_code == 200, (label, response.status_code)
            timings = page_timings(client, url, query, runs=runs)
            all_p95.append(timings.p95)
            matches = _matches(query.get("q", ""), users[who]) if "q" in query else ""
            print(f"{label:<40} {matches:>9} {timings.median:>10.1f} {timings.p95:>8.1f}")
    print(
        f"worst p95 {max(all_p95):.1f} ms; CPU meanwhile: this run {load.ours:.0%} of a core, "
        f"other processes {load.share:.0%} of the machine's {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
