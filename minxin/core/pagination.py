"""One paginator for every list: the database does the slicing."""

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


COUNT_CAP = 10_000


class NoCountPaginator(Paginator):  # type: ignore[type-arg]
    """Counting millions of rows on every page view is the slow part; cap the count."""

    def __init__(self, *args: Any, count_cap: int = COUNT_CAP, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count_cap = count_cap

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            # Unordered: a count needs no order, and an ordered, limited count makes the
            # database walk the order's index (row by row) where a scan is far cheaper.
            listed = cast("QuerySet[Any]", self.object_list)
            self._capped_count = listed.order_by()[: self.count_cap + 1].count()
        return int(self._capped_count)


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    per_page: int = PAGE_SIZE,
    *,
    count_cap: int = COUNT_CAP,
) -> Page:  # type: ignore[type-arg]
    """A page of `queryset`; its count stops past `count_cap`."""
    paginator = NoCountPaginator(queryset, per_page, count_cap=count_cap)
    return paginator.get_page(request.GET.get("page"))


def rows_through_page(request: HttpRequest, per_page: int = PAGE_SIZE) -> int:
    """The rows up to the end of the asked page: a searched list counts no further (the pager
    says "N+ 条" and offers the next page). Past the index, each row counted is a row checked,
    and a word in a sixth of the appeals would check them all."""
    asked = request.GET.get("page", "1")
    return max(1, int(asked) if asked.isdigit() else 1) * per_page
