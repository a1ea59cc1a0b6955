"""What a list's count costs: the staff lists requested with the count floor at 10,000 and at
1,000, alternately, on the same database (issue 17; core/pagination.COUNT_FLOOR).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_search_1m \\
        .venv/bin/python bench/list_count.py [--runs 8]

The database as for bench/search.py. Each page through Django's test client (DEBUG off) as the
demo supervisor (category + street, first page, in progress) and the handler of the unit with
the most appeals (its queue): one warm-up, then `--runs` timed requests; the floor switched
twice each way, so that the load of a shared machine falls on both. Prints the median and the
slowest request in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time

import django_env  # noqa: F401 - first: the repository on the path, settings named


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from minxin.accounts.models import User
    from minxin.accounts.roles import Role
    from minxin.cases.models import Assignment
    from minxin.core import pagination
    from minxin.directory.models import Category, Region, RegionLevel

    settings.ALLOWED_HOSTS.append("testserver")
    top = Category.objects.filter(parent__isnull=True).order_by("id").first()
    street = Region.objects.filter(level=RegionLevel.SUBDISTRICT).order_by("id").first()
    assert top is not None and street is not None
    busiest = Assignment.objects.values("unit").annotate(n=Count("pk")).order_by("-n").first() or {}
    handler_user = User.objects.filter(role=Role.HANDLER, unit_id=busiest.get("unit")).first()
    assert handler_user is not None
    staff, handler = Client(), Client()
    staff.force_login(User.objects.get(username="supervisor"))
    handler.force_login(handler_user)
    cases = [
        (
            staff,
            "category + street",
            "/console/appeals/",
            {"category": top.pk, "region": street.pk},
        ),
        (staff, "first page", "/console/appeals/", {}),
        (staff, "in progress", "/console/appeals/", {"status": "open"}),
        (handler, "unit queue", "/console/unit/", {}),
    ]
    for floor in (10_000, 1_000, 10_000, 1_000):
        pagination.COUNT_FLOOR = floor  # read by paginate() at each call
        for client, label, url, query in cases:
            client.get(url, query)
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                response = client.get(url, query)
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200
            print(
                f"count to {floor:>6}: {label:20} median {statistics.median(times):7.1f} ms"
                f"  max {max(times):7.1f} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
