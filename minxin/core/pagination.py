"""One paginator for every list: the database does the slicing."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


class NoCountPaginator(Paginator):  # type: ignore[type-arg]
    """Counting millions of rows on every page view is the slow part; cap the count."""

    count_cap = 10_000

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            rows = self.object_list[: self.count_cap + 1]
            self._capped_count = rows.count()  # type: ignore[attr-defined]
        return int(self._capped_count)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:  # type: ignore[type-arg]
    paginator = NoCountPaginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
