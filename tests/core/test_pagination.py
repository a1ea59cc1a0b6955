"""A list counts only so far: past COUNT_FLOOR rows (or the asked page) it says "N+ 条"."""

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory

from minxin.core import pagination
from minxin.core.pagination import query_without_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagination, "COUNT_FLOOR", 5)
    Group.objects.bulk_create(Group(name=f"g{n:02d}") for n in range(12))


def _page(query: str, per_page: int = 2):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/list" + query)
    return pagination.paginate(request, Group.objects.order_by("name"), per_page=per_page)


def test_a_long_list_counts_to_the_floor_and_says_so(groups: None) -> None:
    page = _page("")
    assert page.paginator.count == 6  # one past the floor: enough to know there is more
    assert [g.name for g in page.object_list] == ["g00", "g01"]
    assert page.has_next()
    html = render_to_string("cases/_pager.html", {"page": page, "query": ""})
    assert "共 5+ 条" in html and "下一页" in html


def test_a_page_past_the_floor_counts_to_its_own_end(groups: None) -> None:
    page = _page("?page=5")  # rows 9-10: past the floor of 5
    assert [g.name for g in page.object_list] == ["g08", "g09"]
    assert page.has_next()
    last = _page("?page=6")
    assert [g.name for g in last.object_list] == ["g10", "g11"]
    assert not last.has_next()


def test_a_short_list_is_counted_exactly(groups: None) -> None:
    Group.objects.filter(name__gte="g04").delete()
    page = _page("")
    assert page.paginator.count == 4
    html = render_to_string("cases/_pager.html", {"page": page, "query": ""})
    assert "共 2 页（4 条）" in html


@pytest.mark.parametrize("query", ["", "?page=3", "?page=6", "?page=99"])
def test_a_page_by_ids_holds_the_same_rows_in_the_same_order(groups: None, query: str) -> None:
    """by_ids (a searched list): the page's ids first, then their rows: the same page."""
    request = RequestFactory().get("/list" + query)
    listed = Group.objects.filter(name__gt="g00").order_by("-name")
    plain = pagination.paginate(request, listed, per_page=2)
    by_ids = pagination.paginate(request, listed, per_page=2, by_ids=True)
    assert list(by_ids.object_list) == list(plain.object_list)
    assert by_ids.number == plain.number and by_ids.has_next() == plain.has_next()


def test_a_page_by_ids_reads_its_rows_in_two_queries_after_the_count(
    groups: None, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/list")  # counted to the floor (5), past the page's end
    listed = Group.objects.order_by("name")
    with django_assert_num_queries(3):  # the count, the page's ids, their rows
        page = pagination.paginate(request, listed, per_page=3, by_ids=True)
        assert [g.name for g in page.object_list] == ["g00", "g01", "g02"]
    with django_assert_num_queries(2):  # counted to the page's end: its ids and one more, rows
        page = pagination.paginate(
            RequestFactory().get("/list?page=2"), listed, per_page=3, by_ids=True
        )
        assert [g.name for g in page.object_list] == ["g03", "g04", "g05"]


@pytest.mark.parametrize("rows", [0, 1, 2, 3, 4, 5, 11])
@pytest.mark.parametrize("asked", ["", "?page=2", "?page=3", "?page=9", "?page=x"])
def test_a_searched_page_reads_one_more_id_instead_of_counting(
    groups: None, rows: int, asked: str, django_assert_max_num_queries: Any
) -> None:
    """A searched list (count to the end of the asked page, by ids) learns whether there is
    more from one id past the page: the same page, count and pager as counting would give,
    and no count query where the page is in range."""
    Group.objects.filter(name__gte=f"g{rows:02d}").delete()
    request = RequestFactory().get("/list" + asked)
    listed = Group.objects.order_by("name")
    cap = pagination.rows_through_page(request, 2)
    counted = pagination.NoCountPaginator(listed, 2, count_cap=cap).get_page(
        request.GET.get("page")
    )
    with django_assert_max_num_queries(4) as queries:
        read = pagination.paginate(request, listed, per_page=2, count_cap=cap, by_ids=True)
    assert [g.name for g in read.object_list] == [g.name for g in counted.object_list]
    assert read.number == counted.number and read.has_next() == counted.has_next()
    assert read.paginator.count == counted.paginator.count
    in_range = counted.number == pagination.rows_through_page(request, 2) // 2
    if in_range:
        assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    ("asked", "rows"), [("3", 75), ("", 25), ("0", 25), ("²", 25), ("9" * 30, 25)]
)
def test_rows_through_page_reads_the_page_as_every_posted_number(asked, rows):
    # "²" passed str.isdigit and failed int(): a searched list's ?page=² was a 500.
    request = RequestFactory().get("/list", {"page": asked})
    assert pagination.rows_through_page(request) == rows


def test_the_pagers_query_keeps_the_filters_and_drops_the_page() -> None:
    params = QueryDict("status=dispatched&page=3&q=%E8%B7%AF%E7%81%AF&q=%E5%99%AA%E9%9F%B3")
    assert (
        query_without_page(params) == "status=dispatched&q=%E8%B7%AF%E7%81%AF&q=%E5%99%AA%E9%9F%B3"
    )
    assert query_without_page(QueryDict("page=2"), tab="mine") == "tab=mine"
    assert query_without_page(QueryDict("tab=all&page=2"), tab="mine") == "tab=all"
    assert params["page"] == "3"  # the request's own parameters are left as they were
