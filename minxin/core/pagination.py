"""One paginator for every list: the database does the slicing."""

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

from .posted import int_or_none

PAGE_SIZE = 25

# A list counts its rows up to here (or to the end of the asked page, when deeper), then says
# "1000+ 条": at a million appeals, counting a filtered list to 10,000 read 10,000 scattered rows
# (180 ms) to print a number nobody needs exactly; the figures pages give exact totals.
COUNT_FLOOR = 1_000


class NoCountPaginator(Paginator):  # type: ignore[type-arg]
    """Counting millions of rows on every page view is the slow part; cap the count."""

    def __init__(
        self, *args: Any, count_cap: int = COUNT_FLOOR, by_ids: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.count_cap = count_cap
        self.by_ids = by_ids
        self._read: tuple[int, list[int]] | None = None  # a page's ids read with the count

    def validate_number(self, number: Any) -> int:
        if self.by_ids and not hasattr(self, "_capped_count"):
            self._read = self._ids_read(number)  # may settle the count: then none is sent
        return int(super().validate_number(number))

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        """With `by_ids`, the page's ids first (the list's table alone, in its order), then
        their rows with everything they join: a searched list sorts all its matches, and
        joining each to its place, category and unit before sorting cost more than the sort
        (3,265 matches at a million appeals: 64 ms, most of it the joins)."""
        page = super().page(number)  # its object_list: the list sliced, not yet read
        if self.by_ids:
            if self._read is not None and self._read[0] == page.number:
                ids = self._read[1]
            else:
                ids = list(cast("QuerySet[Any]", page.object_list).values_list("pk", flat=True))
            listed = cast("QuerySet[Any]", self.object_list)
            rows = {row.pk: row for row in listed.order_by().filter(pk__in=ids)}
            page.object_list = [rows[pk] for pk in ids if pk in rows]
        return page

    def _ids_read(self, number: Any) -> tuple[int, list[int]] | None:
        """Page `number` and its ids, read with one more id when the count stops by the end
        of the page (a searched list's): that one settles the count, and no count is sent (at
        a million appeals, a rare word's count checked its candidates again: 11 ms). None
        when it cannot settle it (a count past the page, a page past the end, no number)."""
        try:
            asked = int(number)
        except (TypeError, ValueError):
            return None
        bottom = (asked - 1) * self.per_page
        if bottom < 0 or self.count_cap > bottom + self.per_page:
            return None
        listed = cast("QuerySet[Any]", self.object_list)
        ids = list(listed.values_list("pk", flat=True)[bottom : bottom + self.per_page + 1])
        if not ids and bottom:
            return None  # past the end: the count finds the last page
        self._capped_count = min(bottom + len(ids), self.count_cap + 1)
        return asked, ids[: self.per_page]

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
    count_cap: int | None = None,
    by_ids: bool = False,
) -> Page:  # type: ignore[type-arg]
    """A page of `queryset`; its count stops past `count_cap` (by default past COUNT_FLOOR
    rows or the end of the asked page, whichever is further); `by_ids`: NoCountPaginator.page."""
    if count_cap is None:
        count_cap = max(COUNT_FLOOR, rows_through_page(request, per_page))
    paginator = NoCountPaginator(queryset, per_page, count_cap=count_cap, by_ids=by_ids)
    return paginator.get_page(request.GET.get("page"))


def rows_through_page(request: HttpRequest, per_page: int = PAGE_SIZE) -> int:
    """The rows up to the end of the asked page: a searched list counts no further (the pager
    says "N+ 条" and offers the next page). Past the index, each row counted is a row checked,
    and a word in a sixth of the appeals would check them all."""
    return max(1, int_or_none(request.GET.get("page")) or 1) * per_page


def query_without_page(params: QueryDict, **defaults: str) -> str:
    """A list's query string without its page number, with `defaults` for the keys it lacks
    (a queue's tab): what the pager's links (cases/_pager.html) add their page to, so that the
    filters are kept from page to page."""
    query = params.copy()
    query.pop("page", None)
    for key, value in defaults.items():
        query.setdefault(key, value)
    return query.urlencode()
