"""Time the supervision pages (dashboard, scorecards) on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_bench_1m \\
        .venv/bin/python bench/dashboard.py --runs 30

The database must hold a seeded district (`minxin seed_demo --appeals N`, which also counts the
metric cells). Each page is requested through Django's test client as the demo supervisor,
for the last 30 days and for the whole history (3,650 days), `--runs` times after one warm-up
request; the script prints the median and the p95 in milliseconds, the number of appeals and
cells, and the pending change rows (which a request would apply first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--user", default="supervisor")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from minxin.accounts.models import User
    from minxin.cases.models import Appeal, ChangedAppeal
    from minxin.supervision.models import MetricCell

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    today = timezone.localdate()
    periods = {
        "30 days": (today - timedelta(days=29), today),
        "whole history (3,650 days)": (today - timedelta(days=3649), today),
    }
    pages = {"dashboard": "/console/supervision/", "scorecards": "/console/supervision/scorecards/"}
    print(
        f"backend {connection.vendor}; appeals {Appeal.objects.count():,}; "
        f"cells {MetricCell.objects.count():,}; pending changes {ChangedAppeal.objects.count():,}"
    )
    print(f"{'page':<12} {'period':<28} {'median ms':>10} {'p95 ms':>8}")
    for page, url in pages.items():
        for label, (start, end) in periods.items():
            query = {"start": start.isoformat(), "end": end.isoformat()}
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                response = client.get(url, query)
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200
            times.sort()
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            print(f"{page:<12} {label:<28} {statistics.median(times):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
