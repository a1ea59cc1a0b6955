"""The tree of units (二级派单): a community or grid unit under a unit of a higher level, no
cycle; edited in the admin, whose form refuses a wrong parent in Chinese."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from minxin.directory.models import Unit, UnitKind
from tests.builders import communities_build

pytestmark = pytest.mark.django_db


def _refusal(unit: Unit) -> str:
    with pytest.raises(ValidationError) as caught:
        unit.full_clean()
    return " ".join(caught.value.message_dict["parent"])


def test_the_tree_the_builders_make_is_valid(district):
    communities = communities_build(district)
    grid = communities[0].children.get()
    for unit in (*communities, grid, *district.street_units, *district.departments):
        unit.full_clean()
    assert district.street_units[0].is_above(communities[0])
    assert district.street_units[0].is_above(grid)
    assert not district.street_units[1].is_above(communities[0])
    assert not communities[0].is_above(communities[0])


def test_a_community_needs_a_parent(district):
    unit = Unit(name="无主社区", kind=UnitKind.COMMUNITY)
    assert "须指定上级单位" in _refusal(unit)


@pytest.mark.parametrize(
    ("kind", "parent_of", "words"),
    [
        (UnitKind.COMMUNITY, "department", "上级单位须比本单位高一级以上"),
        (UnitKind.COMMUNITY, "community", "上级单位须比本单位高一级以上"),
        (UnitKind.COMMUNITY, "grid", "上级单位须比本单位高一级以上"),
        (UnitKind.SUBDISTRICT, "street", "只有社区/村和网格单位可以有上级单位"),
        (UnitKind.DEPARTMENT, "street", "只有社区/村和网格单位可以有上级单位"),
    ],
)
def test_a_parent_must_be_of_a_higher_level(district, kind, parent_of, words):
    communities = communities_build(district)
    parent = {
        "department": district.departments[0],
        "community": communities[1],
        "grid": communities[0].children.get(),
        "street": district.street_units[1],
    }[parent_of]
    assert words in _refusal(Unit(name="新单位", kind=kind, parent=parent))


def test_a_unit_cannot_sit_under_itself(district):
    communities = communities_build(district)
    grid = communities[0].children.get()
    grid.parent = grid
    assert _refusal(grid)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=grid.pk).update(parent=grid)


def test_the_admin_adds_a_community_under_a_street_and_refuses_a_wrong_parent(client, district):
    client.force_login(district.user("admin"))
    url = reverse("admin:directory_unit_add")
    form = {"name": "金桂社区居委会", "short_name": "", "kind": "community", "is_active": "on"}
    refused = client.post(url, {**form, "parent": district.departments[0].pk})
    assert refused.status_code == 200
    assert "上级单位须比本单位高一级以上" in refused.content.decode()
    assert not Unit.objects.filter(name="金桂社区居委会").exists()
    added = client.post(url, {**form, "parent": district.street_units[0].pk})
    assert added.status_code == 302
    assert Unit.objects.get(name="金桂社区居委会").parent == district.street_units[0]
    listing = client.get(reverse("admin:directory_unit_changelist")).content.decode()
    assert "金桂社区居委会" in listing


def test_the_bar_knows_a_street_passes_appeals_down_from_the_cache_and_forgets_on_a_change(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    from minxin.directory.selectors import units_passing_down

    street = Unit.objects.create(name="测试街道", kind=UnitKind.SUBDISTRICT)
    assert street.pk not in units_passing_down()
    with django_assert_num_queries(0):
        assert street.pk not in units_passing_down()
    with django_capture_on_commit_callbacks(execute=True):
        community = Unit.objects.create(name="测试社区", kind=UnitKind.COMMUNITY, parent=street)
    assert street.pk in units_passing_down()  # the save's commit cleared the cache
    with django_capture_on_commit_callbacks(execute=True):
        community.delete()
    assert street.pk not in units_passing_down()


def test_a_unit_is_saved_when_its_cache_cannot_be_cleared(
    monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    def unreachable(key: str) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "delete", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        street = Unit.objects.create(name="测试街道", kind=UnitKind.SUBDISTRICT)
    assert Unit.objects.filter(pk=street.pk).exists()
