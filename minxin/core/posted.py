"""What a form or a query string sends, read in one place: an id, a date, a local time, a
choice.

Each reader answers None for a blank or for what is not one (the caller says whether that is
an error, in its own words), so that odd input is a clear 4xx or no filter, never a 500."""

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def choice_or_blank(value: object, choices: Iterable[str]) -> str:
    """A list filter's choice: one of `choices` (a Choices class's `values`), else "" (no
    filter), so that an odd value in a query string shows the whole list, not an error."""
    return value if isinstance(value, str) and value in choices else ""


def int_or_none(value: str | None) -> int | None:
    """An id, version or count: a whole number of at most nine ASCII digits, else None.
    `str.isdigit` alone lets "²" through (int() then fails) and a number too long for the
    database's integer (PostgreSQL refuses it): either was a 500, not a 4xx."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def ids_or_none(values: list[str]) -> list[int] | None:
    """Every value of a multiple choice an id (see `int_or_none`), else None: one odd value
    means the form was not the one the page showed."""
    ids = [int_or_none(v) for v in values]
    return None if None in ids else [i for i in ids if i is not None]


def date_or_none(value: str | None) -> date | None:
    """A date input's value (YYYY-MM-DD), else None (also for a day no calendar has)."""
    try:
        return parse_date((value or "").strip())
    except ValueError:
        return None


def datetime_or_none(value: str | None) -> datetime | None:
    """A datetime-local input's value, read in the district's time zone, else None."""
    try:
        found = parse_datetime((value or "").strip())
    except ValueError:
        return None
    if found is not None and timezone.is_naive(found):
        return timezone.make_aware(found)
    return found
