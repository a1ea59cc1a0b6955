"""Time the supervision pages (dashboard, scorecards) on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_bench_1m \\
        .venv/bin/python bench/dashboard.py --runs 30 [--years 10]

The database must hold a seeded district (`minxin seed_demo --appeals N`, which also counts the
metric cells). Each page is requested through Django's test client as the demo supervisor,
for the last 30 days and for the last 3,650 days, `--runs` times after one warm-up request; the
script prints the median and the p95 in milliseconds, the number of appeals and cells, and the
pending change rows (which a request would apply first).

The dashboard keeps its open-appeal figures 30 s in the cache; `--cold` clears the cache
before every request, so each one scans the open appeals (the first request after expiry).

`--years N` first adds, inside a transaction rolled back at the end, copies of the seeded days'
cells going back N years (the seed spans 90 days). Reading cells is the part of a page whose
cost grows with a district's age, so this measures a long history's cost. It adds cells only,
not appeals.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

import django_env  # noqa: F401 - first: the repository on the path, settings named


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--user", default="supervisor")
    parser.add_argument("--years", type=int, default=0)
    parser.add_argument(
        "--cold", action="store_true", help="clear the cache before every request (no live cache)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    with transaction.atomic():
        if args.years:
            _cells_extend(args.years)
        _measure(runs=args.runs, username=args.user, cold=args.cold)
        transaction.set_rollback(True)


def _cells_extend(years: int) -> None:
    """Copies of the seeded span of cells, shifted back span by span over `years` years."""
    from django.db.models import Max, Min

    from minxin.metrics.models import MetricCell

    bounds = MetricCell.objects.aggregate(first=Min("day"), last=Max("day"))
    span = (bounds["last"] - bounds["first"]).days + 1
    seeded = list(MetricCell.objects.all())
    for _ in range(years * 365 // span):
        copies = []
        for cell in seeded:
            cell.pk = None
            cell.day -= timedelta(days=span)
            copies.append(
                MetricCell(**{f.attname: getattr(cell, f.attname) for f in MetricCell._meta.fields})
            )
        MetricCell.objects.bulk_create(copies, batch_size=2000)


def _measure(*, runs: int, username: str, cold: bool) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.timing import page_timings
    from minxin.accounts.models import User
    from minxin.cases.models import Appeal, ChangedAppeal
    from minxin.metrics.models import MetricCell

    client = Client()
    client.force_login(User.objects.get(username=username))
    today = timezone.localdate()
    periods = {
        "30 days": (today - timedelta(days=29), today),
        "3,650 days": (today - timedelta(days=3649), today),
    }
    pages = {"dashboard": "/console/supervision/", "scorecards": "/console/supervision/scorecards/"}
    print(
        f"backend {connection.vendor}; appeals {Appeal.objects.count():,}; "
        f"cells {MetricCell.objects.count():,}; pending changes {ChangedAppeal.objects.count():,}"
    )
    print(f"{'page':<12} {'period':<12} {'median ms':>10} {'p95 ms':>8}")
    for page, url in pages.items():
        for label, (start, end) in periods.items():
            query: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code
            timings = page_timings(
                client, url, query, runs=runs, before=cache.clear if cold else None
            )
            print(f"{page:<12} {label:<12} {timings.median:>10.1f} {timings.p95:>8.1f}")


if __name__ == "__main__":
    main()
