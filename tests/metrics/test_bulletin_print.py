"""The bulletin (通报) laid out for paper (issue 14): the bulletin's own figures, a 打印 button,
for those who may see the bulletin."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from minxin.metrics.exports import bulletin_for, unit_figures
from tests.builders import District, appeal_in

PRINT = reverse("metrics:bulletin_print")


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def test_the_print_page_has_the_bulletins_figures(district: District):
    for status in (AppealStatus.RATED, AppealStatus.FOLLOW_UP, AppealStatus.RESOLVED):
        appeal_in(district, status)
    end = timezone.localdate()
    start = end - timedelta(days=29)
    period = {"start": start.isoformat(), "end": end.isoformat()}
    bulletin = bulletin_for(start=start, end=end)
    assert bulletin.ranked and bulletin.best

    page = client_for(district, "supervisor").get(reverse("metrics:bulletin"), period)
    printing = f"{PRINT}?start={start.isoformat()}&amp;end={end.isoformat()}"
    assert printing in page.content.decode()

    response = client_for(district, "supervisor").get(PRINT, period)
    assert response.status_code == 200
    html = response.content.decode()
    assert "诉求办理通报" in html and "data-print" in html and ">打印<" in html
    assert 'class="topbar' not in html  # no staff bar on paper
    assert f"{start:%Y}年{start.month}月{start.day}日至" in html
    for label, pct, num, den in bulletin.district_rates():
        assert f"<td>{label}</td><td>{pct}</td><td>{num}</td><td>{den}</td>" in html
    best = bulletin.best[0]
    assert f"{best.label}（{best.score:.2f}分）" in html
    for row in bulletin.ranked:
        figures = unit_figures(row)
        assert "".join(f"<td>{cell or '—'}</td>" for cell in figures) in html


@pytest.mark.parametrize(
    ("key", "status"), [("leader", 200), ("handler", 404), ("dispatcher", 404)]
)
def test_the_print_page_is_for_those_who_see_the_bulletin(district: District, key, status):
    assert client_for(district, key).get(PRINT).status_code == status
