"""The migration that gives projects any number of points keeps the one point each had: it
becomes the project's first ProjectPoint (and back again when unapplied)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.builders import district_build

BEFORE = [("projects", "0003_rating_append_only")]
AFTER = [("projects", "0004_project_points")]


def migrated(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest() -> None:
    """Every app at its last migration again, as the tests after this one expect (going back
    to BEFORE unapplied the later migrations of projects too, not only AFTER)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_each_projects_point_becomes_its_first_point_and_back() -> None:
    d = district_build()
    try:
        old = migrated(BEFORE)
        programme = old.get_model("projects", "Programme").objects.create(
            name="民心工程", year=2026
        )
        projects = old.get_model("projects", "Project")
        fields = {
            "programme_id": programme.pk,
            "kind": "elevator",
            "lead_unit_id": d.street_units[0].pk,
            "start_date": date(2026, 3, 1),
            "end_date": date(2026, 12, 31),
        }
        located = projects.objects.create(
            name="景蓉小区加装电梯",
            latitude=Decimal("28.215300"),
            longitude=Decimal("112.921200"),
            **fields,
        )
        plain = projects.objects.create(name="银杉路早餐工程", **fields)

        new = migrated(AFTER)
        points = new.get_model("projects", "ProjectPoint")
        assert list(
            points.objects.values_list("project_id", "latitude", "longitude", "position")
        ) == [(located.pk, Decimal("28.215300"), Decimal("112.921200"), 0)]
        assert not points.objects.filter(project_id=plain.pk).exists()

        back = migrated(BEFORE)
        again = back.get_model("projects", "Project").objects.get(pk=located.pk)
        assert (again.latitude, again.longitude) == (Decimal("28.215300"), Decimal("112.921200"))
    finally:
        latest()
