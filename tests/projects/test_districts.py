"""Livelihood projects on a city's install: a programme is one district's; its staff and its
public site see its projects, no other district's."""

import pytest
from django.urls import reverse

from minxin.core.errors import NotFound, ValidationFailed
from minxin.projects.selectors import programme_overview, projects_for
from minxin.projects.services import project_create
from tests.builders import District, other_district_build

from .builders import draft_new, programme_new, project_new

pytestmark = pytest.mark.django_db


def test_each_district_sees_its_own_programmes_projects(client, district: District) -> None:
    b = other_district_build(district)
    ours = project_new(district, name="景蓉小区加装电梯")
    theirs_programme = programme_new(name="B1区民心工程", jurisdiction=b)
    with pytest.raises(ValidationFailed):  # A3's office cannot put a project in B1's plan
        project_create(
            actor=district.user("supervisor"), draft=draft_new(district, theirs_programme)
        )
    assert set(projects_for(district.user("leader"))) == {ours}
    assert set(projects_for(district.user("b_leader"))) == set()
    assert set(projects_for(district.user("city_leader"))) == {ours}
    with pytest.raises(NotFound):
        programme_overview(district.user("b_leader"), ours.programme_id)

    listed_a = client.get(reverse("public_projects:project_list")).content.decode()
    listed_b = client.get(reverse("public_projects:project_list"), HTTP_HOST=b.host)
    assert "景蓉小区加装电梯" in listed_a
    assert "景蓉小区加装电梯" not in listed_b.content.decode()
    detail = reverse("public_projects:project_detail", args=[ours.pk])
    assert client.get(detail).status_code == 200
    assert client.get(detail, HTTP_HOST=b.host).status_code == 404
