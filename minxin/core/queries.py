"""A list's filters applied to its rows, one way for every list (appeals, suggestions, calls,
projects, the audit log …): only the filters the user set narrow the rows."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def filtered(rows: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """`rows` narrowed by each lookup whose value is set: a blank, None or 0 (a choice left at
    「全部」, an id not chosen) leaves the rows as they are."""
    chosen = {lookup: value for lookup, value in lookups.items() if value}
    return rows.filter(**chosen) if chosen else rows
