"""The supervision screens: who may open them, the figures they show, and their query cost."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.workflow import OPEN_STATUSES, AppealStatus
from minxin.metrics.facts import metric_facts_apply
from minxin.metrics.metrics import rates_for
from minxin.metrics.scorecards import scorecard_for
from tests.builders import District, appeal_in, appeal_new

DASHBOARD = reverse("metrics:dashboard")
SCORECARDS = reverse("metrics:scorecards")
HISTORY = (
    AppealStatus.RECEIVED,
    AppealStatus.INVALID,
    AppealStatus.DISPATCHED,
    AppealStatus.IN_PROGRESS,
    AppealStatus.RESOLVED,
    AppealStatus.RATED,
    AppealStatus.FOLLOW_UP,
)
# One page, whatever the number of appeals (session, user, nav, rates_for, aggregates).
MAX_QUERIES = 30


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def history(d: District) -> None:
    for status in HISTORY:
        appeal_in(d, status)


def last_30_days() -> dict[str, object]:
    end = timezone.localdate()
    return {"start": end - timedelta(days=29), "end": end}


@pytest.mark.parametrize("key", ["supervisor", "leader", "admin"])
def test_supervisors_and_leaders_open_both_screens(district: District, key: str):
    client = client_for(district, key)
    assert client.get(DASHBOARD).status_code == 200
    assert client.get(SCORECARDS).status_code == 200


@pytest.mark.parametrize("key", ["handler", "dispatcher", "call_taker"])
def test_the_dashboard_is_404_for_others(district: District, key: str):
    assert client_for(district, key).get(DASHBOARD).status_code == 404


def test_anonymous_users_are_sent_to_login(district: District):
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_handler_sees_only_its_own_units_scorecard(district: District):
    history(district)
    response = client_for(district, "handler").get(SCORECARDS)
    assert response.status_code == 200
    rows = [item["row"] for item in response.context["table"]]
    assert [r.unit_id for r in rows] == [district.street_units[0].pk]
    body = response.content.decode()
    assert district.street_units[0].name in body
    assert district.street_units[1].name not in body
    assert district.departments[0].name not in body
    assert "本单位考核" in body
    assert client_for(district, "call_taker").get(SCORECARDS).status_code == 404


def test_the_dashboard_shows_the_rates_of_rates_for(district: District):
    history(district)
    response = client_for(district, "supervisor").get(DASHBOARD)
    expected = rates_for(**last_30_days(), group_by=None)[0]  # type: ignore[arg-type]
    tiles = {t["label"]: t for t in response.context["tiles"]}
    assert tiles["受理量"]["value"] == expected.counts.received == len(HISTORY) - 1
    assert tiles["在办"]["value"] == Appeal.objects.filter(status__in=OPEN_STATUSES).count() > 0
    assert tiles["超期"]["url"].endswith("?overdue=on")
    body = response.content.decode()
    rates = {r["label"]: r for r in response.context["rates"]}
    for label, value, n, d in (
        ("回复率", expected.reply_rate, expected.counts.replied, expected.counts.received_valid),
        (
            "按时办结率",
            expected.on_time_rate,
            expected.counts.resolved_on_time,
            expected.counts.resolved_or_overdue,
        ),
        ("满意率", expected.satisfaction_rate, expected.counts.satisfied, expected.counts.rated),
    ):
        shown = "—" if value is None else f"{value * 100:.1f}%"
        assert rates[label]["pct"] == shown
        assert (rates[label]["numerator"], rates[label]["denominator"]) == (n, d)
        assert shown in body and f"{n}/{d}" in body
    assert expected.counts.satisfied == 1 and expected.counts.rated == 2
    data = json.loads(
        body.split('<script id="dashboard-data" type="application/json">')[1].split("</script>")[0]
    )
    assert sum(sum(c["data"]) for c in data["channels"]) == len(HISTORY)  # invalid too
    assert data["categories"][0]["name"] == district.category_top.name
    streets = {r["name"]: r for r in data["regions"]}
    assert set(streets) == {s.name for s in district.streets}
    assert f"region={district.streets[0].pk}" in streets[district.streets[0].name]["receivedUrl"]
    assert "<script>" not in body  # no inline scripts: the charts come from static/js


def test_the_scorecards_show_scorecard_for(district: District):
    history(district)
    response = client_for(district, "leader").get(SCORECARDS)
    expected = scorecard_for(**last_30_days())  # type: ignore[arg-type]
    rows = [item["row"] for item in response.context["table"]]
    assert rows == expected
    lead = next(r for r in expected if r.unit_id == district.street_units[0].pk)
    assert lead.score is not None
    assert f"{lead.score:.2f}" in response.content.decode()
    ascending = client_for(district, "leader").get(SCORECARDS, {"sort": "score"})
    scores = [i["row"].score for i in ascending.context["table"] if i["row"].score is not None]
    assert scores == sorted(scores)


def test_the_period_comes_from_the_query_string(district: District):
    response = client_for(district, "supervisor").get(
        DASHBOARD, {"start": "2025-03-01", "end": "2025-03-31"}
    )
    assert response.context["period"].days == 31
    assert len(json.loads(json.dumps(response.context["data"]["days"]))) == 31
    bad = client_for(district, "supervisor").get(
        DASHBOARD, {"start": "2025-04-01", "end": "2025-03-01"}
    )
    assert response.status_code == bad.status_code == 200
    assert bad.context["period"].days == 30


@pytest.mark.parametrize("url", [DASHBOARD, SCORECARDS])
def test_the_query_count_does_not_grow_with_the_appeals(
    district: District, url: str, django_assert_max_num_queries
):
    client = client_for(district, "supervisor")
    history(district)
    client.get(url)  # warm caches (session, calendar)
    with django_assert_max_num_queries(MAX_QUERIES) as few:
        client.get(url)
    for _ in range(3):
        history(district)
        appeal_new(district)
    metric_facts_apply()  # as the periodic task does; the page applies what is still pending
    with django_assert_max_num_queries(MAX_QUERIES) as many:
        client.get(url)
    # Equal up to the lookups that run only when there is something to look up (the keys of
    # appeals not yet due, the appeals duplicates were merged into, their 附议).
    assert len(many.captured_queries) <= len(few.captured_queries) + 3


def test_the_open_tile_leads_to_the_open_appeals(district: District) -> None:
    client = client_for(district, "supervisor")
    open_ones = {
        appeal_in(district, s).pk for s in (AppealStatus.IN_PROGRESS, AppealStatus.ACCEPTED)
    }
    appeal_in(district, AppealStatus.RATED)
    appeal_new(district)
    page = client.get(DASHBOARD).content.decode()
    assert 'href="/console/appeals/?status=open"' in page
    listed = client.get("/console/appeals/", {"status": "open"})
    assert {a.pk for a in listed.context["page"].object_list} == open_ones
