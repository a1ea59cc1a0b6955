"""The dashboard's map panel: streets shaded by the dashboard's own figures, click through to
the street's appeals, the period's located appeals as points (capped)."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.metrics import maps
from tests.builders import appeal_new

pytestmark = pytest.mark.django_db

POINTS = "metrics:map_points"


def _located(district, n, **fields):
    for i in range(n):
        appeal = appeal_new(district, title=f"路灯不亮<{i}>", **fields)
        Appeal.objects.filter(pk=appeal.pk).update(
            latitude=Decimal("28.2") + Decimal(i) / 1000, longitude=Decimal("112.9")
        )


def test_the_panel_renders_with_the_streets_and_their_list_links(client, district):
    appeal = appeal_new(district)
    Appeal.objects.filter(pk=appeal.pk).update(region=district.streets[0])
    client.force_login(district.user("supervisor"))
    response = client.get(reverse("metrics:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "各街道诉求地图" in html
    assert reverse("directory:boundaries") in html
    assert reverse(POINTS) in html
    start = html.index('id="dashboard-map"')
    blob = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    by_key = {r["key"]: r for r in blob["regions"]}
    first = by_key[str(district.streets[0].pk)]
    assert f"region={district.streets[0].pk}" in first["url"]
    assert first["url"].startswith(reverse("cases:appeal_list"))
    assert "超期" in first["tooltip"]
    assert first["label"] == ""  # nothing overdue yet
    assert set(by_key) == {str(s.pk) for s in district.streets}


def test_points_are_the_periods_located_appeals_escaped(client, district):
    _located(district, 3)
    appeal_new(district, title="没有坐标")
    client.force_login(district.user("leader"))
    payload = client.get(reverse(POINTS)).json()
    points = [p for s in payload["series"] for p in s["points"]]
    assert len(points) == 3
    assert all(p["url"].startswith("/console/") for p in points)
    assert any("路灯不亮&lt;0&gt;" in p["tooltip"] for p in points)
    assert "<0>" not in json.dumps(payload)
    assert "本期有坐标的诉求 3 件" in payload["note"]


def test_points_are_capped_and_the_page_says_so(client, district, monkeypatch):
    monkeypatch.setattr(maps, "POINTS_SHOWN", 2)
    monkeypatch.setattr("minxin.metrics.map_views.POINTS_SHOWN", 2)
    _located(district, 3)
    client.force_login(district.user("supervisor"))
    payload = client.get(reverse(POINTS)).json()
    assert sum(len(s["points"]) for s in payload["series"]) == 2
    assert "本期有坐标的诉求 3 件，图上为最新的 2 件" in payload["note"]


def test_points_outside_the_period_are_left_out(client, district):
    _located(district, 1)
    old = timezone.now() - timedelta(days=200)
    Appeal.objects.update(received_at=old)
    client.force_login(district.user("supervisor"))
    payload = client.get(reverse(POINTS)).json()
    assert sum(len(s["points"]) for s in payload["series"]) == 0


@pytest.mark.parametrize("key", ["handler", "dispatcher", "call_taker"])
def test_only_the_dashboards_viewers_get_the_points(client, district, key):
    _located(district, 1)
    client.force_login(district.user(key))
    assert client.get(reverse(POINTS)).status_code == 404


def test_anonymous_is_sent_to_login(client, district):
    response = client.get(reverse(POINTS))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_the_points_take_two_queries(client, district, django_assert_max_num_queries):
    _located(district, 5)
    client.force_login(district.user("supervisor"))
    with django_assert_max_num_queries(4):  # session, user, the points (and a count if capped)
        client.get(reverse(POINTS))


def test_an_overdue_appeal_is_named_on_its_street_and_drawn_red(client, district):
    from minxin.cases.workflow import AppealStatus
    from tests.builders import appeal_in

    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    Appeal.objects.filter(pk=appeal.pk).update(
        region=district.streets[1],
        resolve_due=timezone.now() - timedelta(days=1),
        latitude=Decimal("28.2"),
        longitude=Decimal("112.93"),
    )
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("metrics:dashboard")).content.decode()
    start = html.index('id="dashboard-map"')
    blob = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    labels = {r["key"]: r["label"] for r in blob["regions"]}
    assert labels[str(district.streets[1].pk)] == "超期 1"
    payload = client.get(reverse(POINTS)).json()
    red = next(s for s in payload["series"] if s["name"] == "超期诉求")
    assert [p["url"] for p in red["points"]] == [reverse("cases:appeal_detail", args=[appeal.pk])]
