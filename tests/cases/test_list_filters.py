"""The appeals list's category and place filters take in everything under the one chosen (a
top category its sub-categories and leaves, a district its streets and communities), and
nothing beside it."""

from minxin.cases.selectors import AppealFilters, appeal_list_for
from minxin.directory.models import Category
from tests.builders import appeal_new


def _titles(district, **filters):
    user = district.user("supervisor")
    return sorted(a.title for a in appeal_list_for(user=user, filters=AppealFilters(**filters)))


def test_a_category_filter_takes_in_its_whole_subtree(district):
    other = Category.objects.create(name="教育")
    appeal_new(district, title="叶子分类", category_id=district.category.pk)
    appeal_new(district, title="中间分类", category_id=district.category.parent_id)
    appeal_new(district, title="别的分类", category_id=other.pk)
    appeal_new(district, title="未分类")
    assert _titles(district, category_id=district.category_top.pk) == ["中间分类", "叶子分类"]
    assert _titles(district, category_id=district.category.pk) == ["叶子分类"]
    assert _titles(district, category_id=other.pk) == ["别的分类"]


def test_a_place_filter_takes_in_the_streets_and_communities_under_it(district):
    first, second = district.streets
    appeal_new(district, title="社区一", region_id=district.communities[0].pk)
    appeal_new(district, title="街道一", region_id=first.pk)
    appeal_new(district, title="社区二", region_id=district.communities[1].pk)
    assert _titles(district, region_id=first.pk) == ["社区一", "街道一"]
    assert _titles(district, region_id=second.pk) == ["社区二"]
    assert _titles(district, region_id=district.district.pk) == ["社区一", "社区二", "街道一"]
    assert _titles(district, region_id=district.communities[0].pk) == ["社区一"]


def test_a_units_whole_history_lists_the_newest_first(district):
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from minxin.cases.models import Appeal
    from minxin.cases.selectors import unit_queue
    from minxin.cases.workflow import AppealStatus
    from tests.builders import appeal_in

    older = appeal_in(district, AppealStatus.IN_PROGRESS)
    newer = appeal_in(district, AppealStatus.IN_PROGRESS)
    Appeal.objects.filter(pk=older.pk).update(received_at=timezone.now() - timedelta(days=30))
    Appeal.objects.filter(pk=newer.pk).update(resolve_due=timezone.now() + timedelta(days=60))
    handler = district.user("handler")
    assert list(unit_queue(user=handler, include_done=True)) == [newer, older]
    assert list(unit_queue(user=handler)) == [older, newer]  # the nearest deadline first
    client = Client()
    client.force_login(handler)
    page = client.get(reverse("cases:unit_queue"), {"tab": "all"}).content.decode()
    assert "最新的在前" in page
