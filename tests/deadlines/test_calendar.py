from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from minxin.deadlines import calendar
from minxin.deadlines.calendar import (
    add_working_days,
    add_working_hours,
    add_working_seconds,
    day_start,
    is_working_day,
    share_used,
    working_day_end,
    working_seconds_between,
)
from minxin.deadlines.models import WorkingDayOverride

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
DAY = 7.5 * 3600  # 09:00–12:00 + 13:30–18:00


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


# --- the statutory calendar -------------------------------------------------------------------


def test_spring_festival_2026_days_off_and_adjusted_saturdays():
    assert is_working_day(date(2026, 2, 13))  # Friday
    assert is_working_day(date(2026, 2, 14))  # Saturday, adjusted working day
    for day in range(15, 24):
        assert not is_working_day(date(2026, 2, day)), day
    assert is_working_day(date(2026, 2, 24))
    assert is_working_day(date(2026, 2, 28))  # Saturday, adjusted working day
    assert not is_working_day(date(2026, 3, 1))  # ordinary Sunday


def test_spring_festival_2026_three_working_days():
    # Received Fri 02-13 16:00. Day 1 = Sat 02-14 (worked); 02-15..02-23 off;
    # day 2 = Tue 02-24, day 3 = Wed 02-25 → due Wed 02-25 18:00.
    assert add_working_days(at(2026, 2, 13, 16), 3) == at(2026, 2, 25, 18)


def test_spring_festival_2026_working_hours_use_the_saturday():
    # Fri 16:00–18:00 = 2 h, Sat 02-14 09:00–12:00 = 3 h, 13:30 + 3 h → Sat 16:30.
    assert add_working_hours(at(2026, 2, 13, 16), 8) == at(2026, 2, 14, 16, 30)
    # From the Saturday evening the next working time is Tue 02-24.
    assert add_working_hours(at(2026, 2, 14, 18), 1) == at(2026, 2, 24, 10)


def test_new_year_2026_adjusted_sunday():
    assert not is_working_day(date(2026, 1, 1))
    assert not is_working_day(date(2026, 1, 2))
    assert not is_working_day(date(2026, 1, 3))
    assert is_working_day(date(2026, 1, 4))  # Sunday, worked
    # Wed 2025-12-31 17:00: 1 h that day, then 01-01..03 off, Sun 01-04 09:00 + 1 h.
    assert add_working_hours(at(2025, 12, 31, 17), 2) == at(2026, 1, 4, 10)
    assert add_working_days(at(2025, 12, 31, 10), 1) == at(2026, 1, 4, 18)


def test_friday_with_one_working_day_is_due_monday_evening():
    assert add_working_days(at(2026, 3, 6, 10), 1) == at(2026, 3, 9, 18)


def test_zero_working_days():
    assert add_working_days(at(2026, 3, 4, 20), 0) == at(2026, 3, 4, 18)  # own working day
    assert add_working_days(at(2026, 3, 7, 10), 0) == at(2026, 3, 9, 18)  # Saturday → Monday


def test_negative_amounts_are_rejected():
    with pytest.raises(ValueError):
        add_working_days(at(2026, 3, 4), -1)
    with pytest.raises(ValueError):
        add_working_hours(at(2026, 3, 4), -1)


# --- working hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(2026, 3, 2, 11), 2, at(2026, 3, 2, 14, 30)),  # across lunch
        (at(2026, 3, 2, 11), 1, at(2026, 3, 2, 12)),  # ends exactly at noon, not 13:30
        (at(2026, 3, 2, 12, 30), 1, at(2026, 3, 2, 14, 30)),  # starts during lunch
        (at(2026, 3, 2, 7), 0.5, at(2026, 3, 2, 9, 30)),  # starts before work
        (at(2026, 3, 2, 17), 2, at(2026, 3, 3, 10)),  # across the evening
        (at(2026, 3, 2, 19), 1, at(2026, 3, 3, 10)),  # starts after work
        (at(2026, 3, 6, 17, 30), 1, at(2026, 3, 9, 9, 30)),  # across the weekend
        (at(2026, 3, 7, 10), 3, at(2026, 3, 9, 12)),  # starts on a Saturday
        (at(2026, 3, 2, 9), 7.5, at(2026, 3, 2, 18)),  # one full day
        (at(2026, 3, 2, 9), 15, at(2026, 3, 3, 18)),
        (at(2026, 3, 2, 10), Decimal("37.5"), at(2026, 3, 9, 10)),  # five days, over a weekend
        (at(2026, 3, 2, 10, 15), 0, at(2026, 3, 2, 10, 15)),
        (at(2026, 3, 2, 9), Decimal("0.1"), at(2026, 3, 2, 9, 6)),
    ],
)
def test_add_working_hours(start, hours, expected):
    assert add_working_hours(start, hours) == expected


def test_add_working_hours_converts_utc_input_to_local_time():
    # 02:00 UTC = 10:00 in Shanghai.
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert add_working_hours(start, 1) == at(2026, 3, 2, 11)
    assert add_working_days(datetime(2026, 3, 5, 17, tzinfo=UTC), 1) == at(2026, 3, 9, 18)


@override_settings(MINXIN={"WORKING_HOURS": [("08:30", "12:00"), ("14:00", "17:30")]})
def test_working_periods_come_from_settings():
    assert add_working_hours(at(2026, 3, 2, 11), 2) == at(2026, 3, 2, 15)
    assert add_working_days(at(2026, 3, 2, 11), 1) == at(2026, 3, 3, 17, 30)


# --- seconds between, round trips, share used -----------------------------------------------


def test_working_seconds_between():
    assert working_seconds_between(at(2026, 3, 2, 9), at(2026, 3, 2, 18)) == DAY
    assert working_seconds_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == 1.5 * 3600
    assert working_seconds_between(at(2026, 3, 6, 17), at(2026, 3, 9, 10)) == 2 * 3600
    assert working_seconds_between(at(2026, 3, 7, 9), at(2026, 3, 8, 18)) == 0  # weekend
    # Fri 02-13 16:00 → Wed 02-25 18:00: 2 h + Sat 02-14 + Tue 02-24 + Wed 02-25.
    assert working_seconds_between(at(2026, 2, 13, 16), at(2026, 2, 25, 18)) == 2 * 3600 + 3 * DAY
    assert working_seconds_between(at(2026, 3, 2, 10), at(2026, 3, 2, 9)) == 0
    assert working_seconds_between(at(2026, 3, 2, 10), at(2026, 3, 2, 10)) == 0


STARTS = [
    at(2026, 2, 13, 16),
    at(2026, 2, 14, 11, 59, 59),
    at(2026, 3, 2, 12, 45),
    at(2026, 3, 6, 17, 59, 30),
    at(2025, 12, 31, 8),
    at(2026, 12, 30, 15, 17, 3),  # runs into 2027: the weekday fallback
]


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("seconds", [0, 1, 59, 3600, 10_800, 27_000, 27_001, 100_000, 1_000_000])
def test_add_and_between_round_trip(start, seconds):
    end = add_working_seconds(start, seconds)
    assert working_seconds_between(start, end) == seconds


@pytest.mark.parametrize("start", STARTS)
def test_between_then_add_returns_an_end_inside_working_time(start):
    for end in [at(2026, 3, 3, 10, 20, 5), at(2026, 2, 24, 13, 30, 1), at(2027, 1, 5, 11)]:
        if end <= start:
            continue
        assert add_working_seconds(start, working_seconds_between(start, end)) == end


def test_share_used():
    start, due = at(2026, 3, 2, 9), at(2026, 3, 2, 18)
    assert share_used(start, due, at(2026, 3, 2, 8)) == 0.0
    assert share_used(start, due, at(2026, 3, 2, 12)) == pytest.approx(0.4)
    assert share_used(start, due, at(2026, 3, 2, 13)) == pytest.approx(0.4)  # lunch is free
    assert share_used(start, due, due) == 1.0
    assert share_used(start, due, at(2026, 3, 3, 18)) == pytest.approx(2.0)  # overdue
    assert share_used(start, due, at(2026, 3, 7, 12)) == pytest.approx(5.0)  # weekend is free


def test_share_used_degenerate_windows():
    assert share_used(at(2026, 3, 2, 10), at(2026, 3, 2, 10), at(2026, 3, 2, 9)) == 1.0
    assert share_used(at(2026, 3, 2, 10), at(2026, 3, 2, 9), at(2026, 3, 2, 9)) == 1.0
    # A window with no working time in it (a Saturday): before or after due only.
    start, due = at(2026, 3, 7, 10), at(2026, 3, 7, 11)
    assert share_used(start, due, at(2026, 3, 7, 10, 30)) == 0.0
    assert share_used(start, due, at(2026, 3, 9, 10)) == 1.0


# --- overrides and unknown years -------------------------------------------------------------


def test_unknown_years_fall_back_to_monday_to_friday():
    assert is_working_day(date(2030, 1, 1))  # a Tuesday; a real holiday, but unknown
    assert not is_working_day(date(2030, 1, 5))  # Saturday
    assert is_working_day(date(2003, 12, 31))  # Wednesday, before the library's range
    assert add_working_days(at(2027, 1, 1, 10), 1) == at(2027, 1, 4, 18)  # Fri → Mon


def test_override_changes_results_immediately_after_save_and_delete():
    friday = at(2027, 2, 5, 10)
    # Warm the cache with the weekday fallback first.
    assert add_working_days(friday, 1) == at(2027, 2, 8, 18)
    assert is_working_day(date(2027, 2, 8))
    assert not is_working_day(date(2027, 2, 6))

    holiday = WorkingDayOverride.objects.create(
        date=date(2027, 2, 8), is_working_day=False, note="2027年春节"
    )
    WorkingDayOverride.objects.create(date=date(2027, 2, 6), is_working_day=True, note="春节调休")

    assert not is_working_day(date(2027, 2, 8))
    assert is_working_day(date(2027, 2, 6))
    assert add_working_days(friday, 1) == at(2027, 2, 6, 18)  # the worked Saturday
    assert add_working_days(friday, 2) == at(2027, 2, 9, 18)  # Monday 02-08 is off
    assert add_working_hours(at(2027, 2, 6, 17), 2) == at(2027, 2, 9, 10)

    holiday.is_working_day = True
    holiday.save()
    assert is_working_day(date(2027, 2, 8))

    holiday.delete()
    assert is_working_day(date(2027, 2, 8))  # back to the fallback
    assert add_working_days(friday, 2) == at(2027, 2, 8, 18)


def test_override_wins_over_chinese_calendar():
    assert is_working_day(date(2026, 2, 24))
    WorkingDayOverride.objects.create(date=date(2026, 2, 24), is_working_day=False, note="更正")
    assert not is_working_day(date(2026, 2, 24))
    WorkingDayOverride.objects.create(date=date(2026, 2, 22), is_working_day=True, note="更正")
    assert is_working_day(date(2026, 2, 22))


def test_overrides_written_without_signals_are_seen_after_the_ttl(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(calendar, "_clock", lambda: clock[0])
    assert is_working_day(date(2027, 2, 8))
    WorkingDayOverride.objects.bulk_create(
        [WorkingDayOverride(date=date(2027, 2, 8), is_working_day=False, note="批量导入")]
    )
    assert is_working_day(date(2027, 2, 8))  # cached, bulk_create sends no signal
    clock[0] += calendar.OVERRIDE_TTL_SECONDS + 1
    assert not is_working_day(date(2027, 2, 8))


def test_overrides_are_read_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        for offset in range(400):
            is_working_day(date(2026, 1, 1) + timedelta(days=offset))
        add_working_days(at(2026, 2, 13, 16), 10)
        add_working_hours(at(2026, 2, 13, 16), 80)


def test_deadline_state_is_overdue_past_due_near_after_the_share_and_ok_before():
    deadline_state = calendar.deadline_state
    tz = ZoneInfo("Asia/Shanghai")
    # Monday 2026-03-02 09:00 → due 13:30 the same day: 3 working hours (09–12, lunch, 13:30).
    start = datetime(2026, 3, 2, 9, 0, tzinfo=tz)
    due = datetime(2026, 3, 2, 13, 30, tzinfo=tz)
    assert deadline_state(start, due, datetime(2026, 3, 2, 10, 0, tzinfo=tz), 0.75) == "ok"
    # 11:15 is 2¼ of 3 working hours: exactly 75 % used.
    assert deadline_state(start, due, datetime(2026, 3, 2, 11, 15, tzinfo=tz), 0.75) == "near"
    assert deadline_state(start, due, datetime(2026, 3, 2, 13, 31, tzinfo=tz), 0.75) == "overdue"


def test_day_start_is_midnight_in_the_districts_time_whatever_zone_is_active():
    with timezone.override(UTC):  # a request may activate another zone; the days are Shanghai's
        start = day_start(date(2026, 12, 7))
    assert start == datetime(2026, 12, 7, tzinfo=SH)
    assert start.astimezone(UTC) == datetime(2026, 12, 6, 16, tzinfo=UTC)


def test_a_due_date_given_as_a_day_ends_with_that_days_working_hours():
    with timezone.override(UTC):
        assert working_day_end(date(2026, 12, 7)) == at(2026, 12, 7, 18)
    with override_settings(MINXIN={"WORKING_HOURS": [("08:30", "12:00"), ("14:00", "17:30")]}):
        assert working_day_end(date(2026, 12, 7)) == at(2026, 12, 7, 17, 30)
    with override_settings(MINXIN={"WORKING_HOURS": [("00:00", "24:00")]}):
        assert working_day_end(date(2026, 12, 7)) == at(2026, 12, 8)
