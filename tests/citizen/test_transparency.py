"""The transparency page: its figures are `rates_for`'s, month by month and unit by unit."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.workflow import AppealStatus
from minxin.citizen.selectors import transparency_figures, transparency_months
from minxin.metrics.metrics import rates_for
from tests.builders import appeal_in, other_district_build

URL = reverse("citizen:transparency")


def test_months_are_the_last_twelve_ending_today():
    months = transparency_months(today=date(2026, 2, 10))
    assert [m.key for m in months][:2] == ["2025-03", "2025-04"]
    assert months[-1].key == "2026-02" and months[-1].end == date(2026, 2, 10)
    assert months[-2].start == date(2026, 1, 1) and months[-2].end == date(2026, 1, 31)
    assert months[0].label == "2025年3月" and len(months) == 12
    dec = transparency_months(today=date(2025, 12, 31))[-1]
    assert (dec.start, dec.end) == (date(2025, 12, 1), date(2025, 12, 31))


def test_figures_equal_rates_for(district):
    for status in (AppealStatus.RATED, AppealStatus.RESOLVED, AppealStatus.IN_PROGRESS):
        appeal_in(district, status)
    today = timezone.localdate()

    figures = transparency_figures(today=today)

    month = figures.months[-1]
    district_row = rates_for(start=month.start, end=month.end, group_by=None)[0]
    latest = figures.by_month[-1]
    assert latest.received == district_row.counts.received == 3
    assert latest.reply_rate == district_row.reply_rate
    assert latest.on_time_rate == district_row.on_time_rate
    assert latest.satisfaction_rate == district_row.satisfaction_rate
    units = {
        "尚未交办" if r.key is None else r.label: r
        for r in rates_for(start=month.start, end=month.end, group_by="unit")
    }
    assert {f.label for f in figures.by_unit} == set(units)
    for f in figures.by_unit:
        row = units[f.label]
        assert (f.received, f.reply_rate, f.on_time_rate, f.satisfaction_rate) == (
            row.counts.received,
            row.reply_rate,
            row.on_time_rate,
            row.satisfaction_rate,
        )
    # An empty month: no denominators.
    assert figures.by_month[0].received == 0 and figures.by_month[0].reply_rate is None


def test_figures_are_cached(district, django_assert_num_queries):
    today = timezone.localdate()
    transparency_figures(today=today)
    with django_assert_num_queries(0):
        transparency_figures(today=today)


def test_page_shows_the_figures_and_dashes(client, district):
    appeal_in(district, AppealStatus.RATED)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "100.0%" in page  # replied 1/1, satisfied 1/1
    assert "—" in page  # the empty months
    assert district.street_units[0].name in page
    assert "transparency-data" in page and "vendor/echarts/echarts.min.js" in page
    assert "https://" not in page.split("<body")[0]  # no CDN


@pytest.mark.parametrize("month", ["", "garbage", "1999-01", "<script>"])
def test_any_month_parameter_is_safe(client, district, month):
    response = client.get(URL, {"month": month})
    assert response.status_code == 200
    assert (
        "<script>"
        not in response.content.decode()
        .split("</head>")[1]
        .replace('<script id="transparency-data" type="application/json">', "")
        .split("</script>")[0]
    )


def test_the_current_month_is_marked_unfinished_until_its_last_day(client, district):
    """Issue 14: the current month was plotted like a whole one, a cliff on the chart."""
    months = transparency_months(today=date(2026, 2, 10))
    assert months[-1].unfinished and not any(m.unfinished for m in months[:-1])
    assert not transparency_months(today=date(2025, 12, 31))[-1].unfinished
    with time_machine.travel("2026-02-10 10:00 +0800", tick=False):
        response = client.get(reverse("citizen:transparency"))
    html = response.content.decode()
    assert response.context["chart"]["unfinished"] == [False] * 11 + [True]
    assert '2026年2月 <small class="muted" data-unfinished>截至2月10日，本月未结束' in html
    assert "2026年2月尚未结束，图中为截至2月10日的数字" in html
    assert html.count("data-unfinished") == 2


def test_each_host_shows_its_own_districts_figures(client, district):
    """A city's install: the page under B1's host counts B1's appeals, not A3's."""
    b = other_district_build(district)
    appeal_in(district, AppealStatus.RATED)
    services.appeal_create(
        actor=Actor.of(district.user("b_call_taker")),
        draft=services.AppealDraft(
            channel="hotline",
            kind="complaint",
            title="东风路井盖缺失",
            content="东风路口井盖缺失，夜里危险。",
            appellant_phone="13812345678",
        ),
    )
    today = timezone.localdate()
    ours = transparency_figures(today=today, district=district.district.jurisdiction.pk)
    theirs = transparency_figures(today=today, district=b.pk)
    assert ours.by_month[-1].received == 1 and theirs.by_month[-1].received == 1
    assert transparency_figures(today=today).by_month[-1].received == 2  # the city's
    assert client.get(URL, HTTP_HOST=b.host).status_code == 200
