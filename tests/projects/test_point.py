"""A project's points on the map (挂图作战), typed on the new-project form one a line (degrees
and a place name): each both degrees, in range, inside the district's outlines when they were
imported; refused with the reason (which point) and nothing written. The map then draws the
project at each of them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from minxin.core.errors import ValidationFailed
from minxin.directory.services import boundaries_import
from minxin.projects.models import Project, ProjectPoint
from minxin.projects.services import PointDraft, point_clean
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


def test_the_points_typed_on_the_form_put_the_project_on_the_map(client, district):
    programme = programme_new()
    client.force_login(district.user("supervisor"))
    page = client.get(reverse("projects:project_new")).content.decode()
    assert 'name="points"' in page

    typed = "28.2153, 112.9212 景蓉小区\n\n28.2071，112.9305 银杉小区3栋\n 28.21 112.93"
    response = client.post(reverse("projects:project_new"), form(programme, district, points=typed))

    assert response.status_code == 302
    project = Project.objects.get(name="银杉社区早餐网点")
    assert list(project.points.values_list("latitude", "longitude", "name", "position")) == [
        (Decimal("28.215300"), Decimal("112.921200"), "景蓉小区", 0),
        (Decimal("28.207100"), Decimal("112.930500"), "银杉小区3栋", 1),
        (Decimal("28.210000"), Decimal("112.930000"), "", 2),
    ]
    data = client.get(reverse("project_map:data")).json()
    points = [p for s in data["series"] for p in s["points"]]
    assert [(p["lat"], p["lng"]) for p in points] == [
        (28.2153, 112.9212),
        (28.2071, 112.9305),
        (28.21, 112.93),
    ]
    assert "景蓉小区" in points[0]["tooltip"] and "银杉小区3栋" in points[1]["tooltip"]
    # Each point opens the same project; the page lists them.
    assert {p["url"] for p in points} == {reverse("projects:project_detail", args=[project.pk])}
    html = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "景蓉小区 <small" in html and "28.20710, 112.93050" in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("28.2", "位置第1行格式有误"),
        ("28.2, 112.9 景蓉\n东经112度", "位置第2行格式有误"),
        ("112.9, 28.2", "纬度超出范围"),
        ("28.2, 112.9\n28.2, -181", "第2个位置：经度超出范围"),
        ("28.2, 112.9 " + "长" * 101, "地点名称"),
        ("\n".join(["28.2, 112.9"] * 51), "位置最多50个"),
    ],
)
def test_a_bad_point_is_refused_with_its_reason_and_what_was_typed(
    client, district, typed, message
):
    programme = programme_new()
    client.force_login(district.user("supervisor"))
    response = client.post(reverse("projects:project_new"), form(programme, district, points=typed))
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert "银杉社区早餐网点" in html and typed.split("\n")[0][:10] in html  # typed comes back
    assert not Project.objects.exists() and not ProjectPoint.objects.exists()


def test_a_point_outside_the_districts_outlines_is_refused(district):
    boundaries_import(
        actor=None,
        data=collection(
            feature(square(112.90, 28.20, 0.02), code="A3-01"),
            feature(square(112.92, 28.20, 0.02), code="A3-02"),
        ),
    )
    inside, outside = PointDraft("28.21", "112.93"), PointDraft("38.21", "112.91")
    with pytest.raises(ValidationFailed, match="第2个位置：该位置不在本区范围内"):
        project_new(district, points=(inside, outside))
    assert not Project.objects.exists() and not ProjectPoint.objects.exists()
    project = project_new(district, points=(inside,))
    assert project.points.get().latitude == Decimal("28.21")


def test_without_outlines_any_point_in_range_is_taken(district):
    project = project_new(district, points=(PointDraft(Decimal("38.21"), Decimal("112.91")),))
    assert project.points.get().latitude == Decimal("38.21")


def test_point_clean_keeps_six_places_and_takes_neither():
    assert point_clean("", " ") == (None, None)
    assert point_clean(None, None) == (None, None)
    assert point_clean("28.12345678", "112.1") == (Decimal("28.123457"), Decimal("112.100000"))
