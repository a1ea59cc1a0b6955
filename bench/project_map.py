"""Time the projects' map (挂图作战) with 2,000 projects (PostgreSQL).

    psql -h 127.0.0.1 -U postgres -c 'create database minxin_bench_map'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_bench_map \\
        .venv/bin/python bench/project_map.py [--runs 30] [--projects 2000] [--appeals 2000]

The data is bench/projects.py's (its builder is reused: one programme of `--projects`
projects, 10 targets each, 200,000 progress reports, each project in one community), on the
demo district seeded with `--appeals` appeals, whose generated boundary map the seed loads. A
third of the projects are then given a point of their own near their community's (the rest
are placed at it); both steps are kept for the next run.

Requested through Django's test client, one warm-up then `--runs` times: the map page and
its data endpoint as the supervision office (every project), the data for the programme
only, and the data as the handler of the unit leading the most projects; plus the outlines
endpoint, the dashboard and its map's points (every seeded appeal is given a point near its
street's, kept). It prints the median and p95 in ms, the number of queries of one request and the
size of the answer.
"""

from __future__ import annotations

import argparse
import time
from decimal import Decimal
from typing import Any

import django_env  # noqa: F401 - first: the repository on the path, settings named


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--targets", type=int, default=10, help="targets per project")
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--appeals", type=int, default=2000, help="appeals of a fresh seed")
    args = parser.parse_args()

    from bench.timing import pages_setup

    pages_setup(appeals=args.appeals)

    from bench.projects import PROGRAMME, _build
    from minxin.demo.boundaries import boundaries_seed
    from minxin.projects.models import Programme

    boundaries_seed()  # a database seeded before the map existed
    programme = Programme.objects.filter(name=PROGRAMME).first()
    if programme is None:
        began = time.perf_counter()
        programme = _build(args)
        print(f"built the programme in bulk: {time.perf_counter() - began:.1f} s")
    _points_give(programme)
    _appeals_locate()
    _measure(programme, runs=args.runs)


def _points_give(programme: Any) -> None:
    """A third of the projects get points of their own near their community's (every fifth of
    them two: a project in two estates)."""
    import random

    from minxin.directory.models import RegionBoundary
    from minxin.projects.models import Project, ProjectPoint

    projects = Project.objects.filter(programme=programme)
    if ProjectPoint.objects.filter(project__programme=programme).exists():
        return
    rng = random.Random(11)
    located = dict(
        RegionBoundary.objects.values_list("region_id", "centroid_lat").order_by("region_id")
    )
    lngs = dict(RegionBoundary.objects.values_list("region_id", "centroid_lng"))
    first = dict(
        Project.regions.through.objects.filter(project__programme=programme)
        .order_by("-region_id")
        .values_list("project_id", "region_id")
    )
    points = []
    for pk in projects.order_by("pk").values_list("pk", flat=True):
        region = first.get(pk)
        if pk % 3 or region not in located:
            continue
        for position in range(2 if pk % 5 == 0 else 1):
            points.append(
                ProjectPoint(
                    project_id=pk,
                    latitude=Decimal(f"{located[region] + rng.uniform(-0.004, 0.004):.6f}"),
                    longitude=Decimal(f"{lngs[region] + rng.uniform(-0.004, 0.004):.6f}"),
                    position=position,
                )
            )
    ProjectPoint.objects.bulk_create(points, batch_size=1000)
    print(f"gave {len({p.project_id for p in points})} projects {len(points)} points of their own")


def _appeals_locate() -> None:
    """Every appeal gets a point near its street's (the seed gives none): the dashboard's
    map then has the most points it can have."""
    import random

    from minxin.cases.models import Appeal
    from minxin.directory.models import RegionBoundary

    if Appeal.objects.filter(latitude__isnull=False).exists():
        return
    rng = random.Random(13)
    centres = list(
        RegionBoundary.objects.filter(region__level="subdistrict").values_list(
            "centroid_lat", "centroid_lng"
        )
    )
    changed = []
    for a in Appeal.objects.only("pk"):
        lat, lng = centres[rng.randrange(len(centres))]
        a.latitude = Decimal(f"{lat + rng.uniform(-0.01, 0.01):.6f}")
        a.longitude = Decimal(f"{lng + rng.uniform(-0.01, 0.01):.6f}")
        changed.append(a)
    Appeal.objects.bulk_update(changed, ["latitude", "longitude"], batch_size=1000)
    print(f"gave {len(changed)} appeals a point")


def _measure(programme: Any, *, runs: int) -> None:
    from django.db import connection
    from django.urls import reverse

    from bench.timing import page_timings, programme_clients, queries_counted
    from minxin.directory.models import RegionBoundary
    from minxin.projects.models import Project

    projects = Project.objects.filter(programme=programme)
    office, unit, leads = programme_clients(projects)
    print(
        f"backend {connection.vendor}; projects {Project.objects.count():,} "
        f"({projects.filter(points__isnull=False).distinct().count():,} with points of their own); "
        f"boundaries {RegionBoundary.objects.count()}; the handler's unit leads {leads}"
    )
    data = reverse("project_map:data")
    cases = [
        ("map page", office, reverse("project_map:page"), {}),
        ("data, all projects", office, data, {}),
        ("data, the programme", office, data, {"programme": programme.pk}),
        ("data, in progress", office, data, {"status": "in_progress"}),
        ("data, a unit's", unit, data, {}),
        ("outlines (streets)", office, reverse("directory:boundaries"), {}),
        ("dashboard page", office, reverse("metrics:dashboard"), {}),
        ("dashboard points", office, reverse("metrics:map_points"), {}),
    ]
    print(f"{'request':<22} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KB':>7} {'points':>7}")
    for label, client, url, query in cases:
        with queries_counted() as queries:
            response = client.get(url, query)
        assert response.status_code == 200, (label, response.status_code)
        points = "-"
        if url in (data, reverse("metrics:map_points")):
            points = str(sum(len(s["points"]) for s in response.json()["series"]))
        timings = page_timings(client, url, query, runs=runs)
        print(
            f"{label:<22} {timings.median:>10.1f} {timings.p95:>8.1f} "
            f"{len(queries):>8} {len(timings.response.content) / 1024:>7.1f} {points:>7}"
        )


if __name__ == "__main__":
    main()
