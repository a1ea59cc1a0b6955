"""The project forms' dates and reply due times: a date input's value or a clear message."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from minxin.core.errors import ValidationFailed
from minxin.deadlines.calendar import working_day_end
from minxin.projects.forms import date_of, due_of


def test_a_date_is_a_date_inputs_value() -> None:
    assert date_of("2026-12-07", "计划开工日期") == date(2026, 12, 7)
    with pytest.raises(ValidationFailed, match="请填写计划开工日期"):
        date_of(" ", "计划开工日期")
    for odd in ("2026-02-30", "2026-13-01", "明天", "12/07/2026"):
        with pytest.raises(ValidationFailed, match="计划开工日期格式有误"):
            date_of(odd, "计划开工日期")


@time_machine.travel("2026-12-07 10:00 +0800", tick=False)
def test_a_reply_is_due_at_a_time_or_at_the_end_of_a_days_working_hours() -> None:
    at = due_of("2026-12-09T15:30")
    assert timezone.localtime(at).strftime("%Y-%m-%d %H:%M") == "2026-12-09 15:30"
    assert due_of("2026-12-09") == working_day_end(date(2026, 12, 9))
    with pytest.raises(ValidationFailed, match="答复期限格式有误"):
        due_of("2026-12-09T25:00")
    with pytest.raises(ValidationFailed, match="不能晚于一年以后"):
        due_of("2028-01-01")
