"""A project's point on the map (挂图作战), typed on the new-project form: both degrees or
neither, in range, inside the district's outlines when they were imported; refused with the
reason and nothing written. The map then draws the project there."""

from decimal import Decimal

import pytest
from django.urls import reverse

from minxin.core.errors import ValidationFailed
from minxin.directory.services import boundaries_import
from minxin.projects.models import Project
from minxin.projects.services import point_clean
from tests.directory.geo import collection, feature, square
from tests.projects.builders import day, programme_new, project_new


def form(programme, district, **fields: str) -> dict[str, object]:
    return {
        "programme": programme.pk,
        "name": "银杉社区早餐网点",
        "kind": "breakfast",
        "lead_unit": district.street_units[1].pk,
        "start_date": day(-10).isoformat(),
        "end_date": day(200).isoformat(),
        "planned": "on",
        "target_name_0": "早餐网点",
        "target_value_0": "3",
        "target_measure_0": "个",
        **fields,
    }


def test_the_point_typed_on_the_form_puts_the_project_on_the_map(client, district):
    programme = programme_new()
    client.force_login(district.user("supervisor"))
    page = client.get(reverse("projects:project_new")).content.decode()
    assert 'name="latitude"' in page and 'name="longitude"' in page

    response = client.post(
        reverse("projects:project_new"),
        form(programme, district, latitude="28.2153", longitude="112.9212"),
    )

    assert response.status_code == 302
    project = Project.objects.get(name="银杉社区早餐网点")
    assert (project.latitude, project.longitude) == (Decimal("28.215300"), Decimal("112.921200"))
    data = client.get(reverse("project_map:data")).json()
    points = [p for s in data["series"] for p in s["points"]]
    assert [(p["lat"], p["lng"]) for p in points] == [(28.2153, 112.9212)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"latitude": "28.2"}, "经度和纬度须同时填写"),
        ({"longitude": "112.9"}, "经度和纬度须同时填写"),
        ({"latitude": "112.9", "longitude": "28.2"}, "纬度超出范围"),
        ({"latitude": "28.2", "longitude": "东经112度"}, "经度应为数字"),
        ({"latitude": "28.2", "longitude": "-181"}, "经度超出范围"),
    ],
)
def test_a_bad_point_is_refused_with_its_reason_and_what_was_typed(
    client, district, fields, message
):
    programme = programme_new()
    client.force_login(district.user("supervisor"))
    response = client.post(reverse("projects:project_new"), form(programme, district, **fields))
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert "银杉社区早餐网点" in html  # what was typed comes back
    assert not Project.objects.exists()


def test_a_point_outside_the_districts_outlines_is_refused(district):
    boundaries_import(
        actor=None,
        data=collection(
            feature(square(112.90, 28.20, 0.02), code="A3-01"),
            feature(square(112.92, 28.20, 0.02), code="A3-02"),
        ),
    )
    with pytest.raises(ValidationFailed, match="不在本区范围内"):
        project_new(district, latitude=Decimal("38.21"), longitude=Decimal("112.91"))
    assert not Project.objects.exists()
    inside = project_new(district, latitude=Decimal("28.21"), longitude=Decimal("112.93"))
    assert inside.latitude == Decimal("28.21")


def test_without_outlines_any_point_in_range_is_taken(district):
    project = project_new(district, latitude=Decimal("38.21"), longitude=Decimal("112.91"))
    assert project.latitude == Decimal("38.21")


def test_point_clean_keeps_six_places_and_takes_neither():
    assert point_clean("", " ") == (None, None)
    assert point_clean(None, None) == (None, None)
    assert point_clean("28.12345678", "112.1") == (Decimal("28.123457"), Decimal("112.100000"))
