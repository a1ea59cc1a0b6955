"""What a form sends, read in one place: odd input is None (no filter, or the caller's own
4xx), never a 500."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from minxin.core.posted import (
    choice_or_blank,
    date_or_none,
    datetime_or_none,
    ids_or_none,
    int_or_none,
)


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("0", 0),
        ("999999999", 999_999_999),
        ("1234567890", None),  # past the database's integer: refused here, not by PostgreSQL
        ("²", None),  # a digit to str.isdigit, not to int()
        ("４２", None),  # full-width digits are not an id a form sends
        ("-1", None),
        ("1.5", None),
        ("", None),
        (None, None),
    ],
)
def test_int_or_none_reads_only_what_the_database_can_hold(raw, number):
    assert int_or_none(raw) == number


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2026-12-07", date(2026, 12, 7)),
        (" 2026-12-07 ", date(2026, 12, 7)),
        ("2026-02-30", None),
        ("2026/12/07", None),
        ("昨天", None),
        ("", None),
        (None, None),
    ],
)
def test_date_or_none(raw, day):
    assert date_or_none(raw) == day


def test_datetime_or_none_reads_a_local_time_in_the_districts_zone():
    at = datetime_or_none("2026-12-07T09:30")
    assert at is not None and timezone.is_aware(at)
    assert timezone.localtime(at).replace(tzinfo=None) == datetime(2026, 12, 7, 9, 30)
    assert datetime_or_none("2026-12-07 09:30:15").second == 15  # type: ignore[union-attr]
    for odd in ("2026-13-07T09:30", "2026-12-07T25:00", "明天上午", "", None):
        assert datetime_or_none(odd) is None


def test_ids_or_none_is_none_when_any_value_is_not_an_id():
    assert ids_or_none(["3", " 12 "]) == [3, 12]
    assert ids_or_none([]) == []
    assert ids_or_none(["3", "²"]) is None
    assert ids_or_none(["3", ""]) is None


@pytest.mark.parametrize(
    ("raw", "chosen"),
    [
        ("dispatched", "dispatched"),
        ("", ""),
        (None, ""),
        ("DISPATCHED", ""),
        ("dispatched ", ""),
        ("<script>", ""),
        (["dispatched"], ""),  # not a string at all
    ],
)
def test_a_filter_choice_is_one_of_its_values_or_no_filter(raw: object, chosen: str) -> None:
    assert choice_or_blank(raw, AppealStatus.values) == chosen
