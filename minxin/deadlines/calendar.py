"""Working time on the Chinese statutory calendar: the only place it is computed.

A working day is decided by, in order: a WorkingDayOverride row, chinese-calendar, Monday–Friday
(for years chinese-calendar does not know). Working time is the periods of
settings.MINXIN["WORKING_HOURS"] on working days, in the district's local time.

Internally time is counted in integer microseconds, so Decimal hours and round trips are exact.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Final, cast
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .models import WorkingDayOverride

OVERRIDE_TTL_SECONDS: Final = 60.0

_US_PER_SECOND: Final = 1_000_000
_US_PER_HOUR: Final = 3600 * _US_PER_SECOND
_ONE_DAY: Final = timedelta(days=1)

# Indirection so tests can move the TTL clock.
_clock = time.monotonic

_overrides: dict[date, bool] | None = None
_overrides_loaded_at = 0.0
_day_cache: dict[date, bool] = {}

_periods_source: object = None
_periods: tuple[tuple[int, int], ...] = ()
_day_total_us = 0


def calendar_cache_clear() -> None:
    """Forget overrides and per-date answers; called when an override is saved or deleted."""
    global _overrides
    _overrides = None
    _day_cache.clear()


def _load_overrides() -> dict[date, bool]:
    global _overrides, _overrides_loaded_at
    overrides = _overrides
    now = _clock()
    if overrides is None or now - _overrides_loaded_at > OVERRIDE_TTL_SECONDS:
        overrides = dict(
            WorkingDayOverride.objects.order_by().values_list("date", "is_working_day")
        )
        _day_cache.clear()
        _overrides = overrides
        _overrides_loaded_at = now
    return overrides


def is_working_day(day: date) -> bool:
    overrides = _load_overrides()
    cached = _day_cache.get(day)
    if cached is not None:
        return cached
    if day in overrides:
        result = overrides[day]
    else:
        try:
            result = bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # Outside the years the library knows: weekdays only, until an admin adds overrides.
            result = day.weekday() < 5
    _day_cache[day] = result
    return result


def _parse_hhmm(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * _US_PER_HOUR + int(minutes) * 60 * _US_PER_SECOND


def _working_periods() -> tuple[tuple[int, int], ...]:
    """The working periods of a day as (start, end) microseconds since local midnight."""
    global _periods_source, _periods, _day_total_us
    source = cast("Sequence[tuple[str, str]]", settings.MINXIN["WORKING_HOURS"])
    if source is not _periods_source:
        periods = tuple((_parse_hhmm(s), _parse_hhmm(e)) for s, e in source)
        previous_end = 0
        for start, end in periods:
            if not previous_end <= start < end <= 24 * _US_PER_HOUR:
                raise ImproperlyConfigured(
                    "MINXIN['WORKING_HOURS'] must be ordered, non-overlapping (start, end) pairs"
                )
            previous_end = end
        if not periods:
            raise ImproperlyConfigured("MINXIN['WORKING_HOURS'] is empty")
        _periods = periods
        _day_total_us = sum(end - start for start, end in periods)
        _periods_source = source
    return _periods


def _tz() -> ZoneInfo:
    # The district's calendar, whatever timezone a request may have activated.
    return timezone.get_default_timezone()


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the district's time: a range of days [a, b] is
    [day_start(a), day_start(b + 1 day)), which every date filter and figure uses."""
    return datetime.combine(day, dtime(0), tzinfo=_tz())


def working_day_end(day: date) -> datetime:
    """The end of `day`'s last working period in the district's time (MINXIN['WORKING_HOURS']):
    what a due date given as a day means, on every form that takes one."""
    return _at(day, _working_periods()[-1][1])


def _local_split(moment: datetime) -> tuple[date, int]:
    """(local date, microseconds since local midnight)."""
    local = timezone.localtime(moment, _tz())
    of_day = (
        local.hour * 3600 + local.minute * 60 + local.second
    ) * _US_PER_SECOND + local.microsecond
    return local.date(), of_day


def _at(day: date, of_day_us: int) -> datetime:
    seconds, micro = divmod(of_day_us, _US_PER_SECOND)
    minutes, sec = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    if hour == 24:  # a period ending at 24:00
        return datetime.combine(day + _ONE_DAY, dtime(0), tzinfo=_tz())
    return datetime.combine(day, dtime(hour, minute, sec, micro), tzinfo=_tz())


def _worked_before(of_day_us: int) -> int:
    """Working microseconds of a working day that lie before this time of day."""
    return sum(max(0, min(of_day_us, end) - start) for start, end in _working_periods())


def _add_working_us(start: datetime, amount: int) -> datetime:
    if amount < 0:
        raise ValueError("working time to add must not be negative")
    if amount == 0:
        return start
    day, of_day = _local_split(start)
    periods = _working_periods()
    while True:
        if is_working_day(day):
            if of_day == 0 and amount > _day_total_us:
                amount -= _day_total_us  # a whole day: skip the per-period walk
            else:
                for p_start, p_end in periods:
                    begin = max(of_day, p_start)
                    if begin >= p_end:
                        continue
                    available = p_end - begin
                    if amount <= available:
                        return _at(day, begin + amount)
                    amount -= available
        day += _ONE_DAY
        of_day = 0


def _working_us_between(start: datetime, end: datetime) -> int:
    if end <= start:
        return 0
    start_day, start_of_day = _local_split(start)
    end_day, end_of_day = _local_split(end)
    _working_periods()  # (re)parses the setting, so _day_total_us is current
    if start_day == end_day:
        if not is_working_day(start_day):
            return 0
        return _worked_before(end_of_day) - _worked_before(start_of_day)
    total = 0
    if is_working_day(start_day):
        total += _day_total_us - _worked_before(start_of_day)
    day = start_day + _ONE_DAY
    while day < end_day:
        if is_working_day(day):
            total += _day_total_us
        day += _ONE_DAY
    if is_working_day(end_day):
        total += _worked_before(end_of_day)
    return total


def add_working_hours(start: datetime, hours: float | Decimal) -> datetime:
    """The moment `hours` of working time have elapsed after `start`.

    A start outside working time begins counting at the next working period; an amount that
    ends exactly at the end of a period returns that end (12:00, not 13:30).
    """
    amount = Decimal(str(hours)) if isinstance(hours, float) else Decimal(hours)
    return _add_working_us(start, int((amount * _US_PER_HOUR).to_integral_value()))


def add_working_seconds(start: datetime, seconds: int) -> datetime:
    return _add_working_us(start, seconds * _US_PER_SECOND)


def add_working_days(start: datetime, days: int) -> datetime:
    """End of the working day (last period's end) of the `days`-th working day after start's date.

    days=0: the end of start's own day if it is a working day, else of the next working day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day, _ = _local_split(start)
    if days == 0:
        while not is_working_day(day):
            day += _ONE_DAY
    else:
        counted = 0
        while counted < days:
            day += _ONE_DAY
            if is_working_day(day):
                counted += 1
    return _at(day, _working_periods()[-1][1])


def working_seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds of working time between two moments; 0 if end <= start."""
    return _working_us_between(start, end) // _US_PER_SECOND


def deadline_state(start: datetime, due: datetime, now: datetime, near_share: float) -> str:
    """ "overdue" past the deadline, "near" once `near_share` of the working time is used, else
    "ok". The one rule behind the queues' flags and the supervision warnings."""
    if now > due:
        return "overdue"
    return "near" if share_used(start, due, now) >= near_share else "ok"


def share_used(start: datetime, due: datetime, now: datetime) -> float:
    """Working time used / working time allowed; above 1.0 when overdue, 1.0 if due <= start."""
    if due <= start:
        return 1.0
    allowed = _working_us_between(start, due)
    if allowed == 0:
        # A window with no working time in it: nothing to divide, only before or after.
        return 1.0 if now >= due else 0.0
    return _working_us_between(start, now) / allowed
