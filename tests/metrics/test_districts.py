"""The figures of a city's install, by district: a district's supervisors and leaders see its
appeals' figures and units only, the city's leader every district's (or one, picked), and an
export holds its requester's district only."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.deadlines.models import Urgency
from minxin.directory.models import Jurisdiction, Region, Unit
from minxin.metrics.facts import metric_facts_apply, metrics_rebuild
from minxin.metrics.metrics import rates_for
from minxin.metrics.models import Export, ExportStatus, MetricCell
from tests.builders import District, appeal_in, appeal_new, other_district_build

DASHBOARD = reverse("metrics:dashboard")
SCORECARDS = reverse("metrics:scorecards")
POINTS = reverse("metrics:map_points")
A3_UNITS = ("桂花坪街道办事处", "望月湖街道办事处", "A3区城市管理局")
B1_UNIT = "东风街道办事处"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def b1_dispatched(d: District, b: Jurisdiction) -> Appeal:
    """An appeal of B1 (a place in B1, with coordinates), screened and dispatched by B1's
    dispatcher to its street office."""
    street = Region.objects.get(code="B1-01")
    appeal = appeal_new(
        d, title="东风路路灯不亮", jurisdiction_id=b.pk, latitude=28.2, longitude=112.9
    )
    dispatcher = Actor.of(d.user("b_dispatcher"))
    services.appeal_screen(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=appeal.version,
        category_id=d.category.pk,
        region_id=street.pk,
        urgency=Urgency.NORMAL,
    )
    services.appeal_dispatch(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=Appeal.objects.get(pk=appeal.pk).version,
        lead_unit_id=Unit.objects.get(name=B1_UNIT).pk,
    )
    return Appeal.objects.get(pk=appeal.pk)


@pytest.fixture
def two(district: District) -> tuple[list[Appeal], list[Appeal], Jurisdiction]:
    """Five appeals of A3 (one resolved, two dispatched: one with coordinates, and a caller's
    repeat merged into an earlier one: a matter on the dashboard, its target last) and two of
    B1 (dispatched, with coordinates)."""
    b = other_district_build(district)
    a3 = [appeal_in(district, AppealStatus.RESOLVED)]
    a3 += [appeal_in(district, AppealStatus.DISPATCHED) for _ in range(2)]
    merged = appeal_in(district, AppealStatus.MERGED)
    a3 += [merged, Appeal.objects.get(pk=merged.merged_into_id)]
    Appeal.objects.filter(pk=a3[1].pk).update(latitude=28.1, longitude=112.8)
    b1 = [b1_dispatched(district, b) for _ in range(2)]
    return a3, b1, b


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def tile(response: Any, label: str) -> int:
    return next(t["value"] for t in response.context["tiles"] if t["label"] == label)


def test_each_appeal_is_counted_in_its_districts_cells_and_the_city_sums_them(district, two):
    _, b1, b = two
    metric_facts_apply()
    a3_district = district.street_units[0].jurisdiction_id
    assert {c.jurisdiction_id for c in MetricCell.objects.all()} == {a3_district, b.pk}
    today = timezone.localdate(Appeal.objects.get(pk=b1[0].pk).received_at)  # the cells' day
    figures = {
        who: rates_for(start=today, end=today, group_by=None, district=who)[0].counts
        for who in (a3_district, b.pk, None)
    }
    assert (figures[a3_district].received, figures[b.pk].received) == (5, 2)
    assert figures[None].received == 7
    assert figures[None].dispatches == figures[a3_district].dispatches + 2
    # A recount from the appeals gives the same cells.
    before = sorted(
        MetricCell.objects.values_list("jurisdiction_id", "dim", "day", "key", "arrived")
    )
    metrics_rebuild()
    after = sorted(
        MetricCell.objects.values_list("jurisdiction_id", "dim", "day", "key", "arrived")
    )
    assert after == before


@pytest.mark.parametrize("key", ["b_leader", "b_supervisor"])
def test_a_districts_dashboard_shows_none_of_anothers_figures(district, two, key):
    a3, b1, _ = two
    response = client_for(district, key).get(DASHBOARD)
    assert response.status_code == 200
    assert tile(response, "受理量") == 2
    assert tile(response, "在办") == 2
    html = response.content.decode()
    assert "全部辖区" not in html  # a district's staff pick no district
    assert [r["name"] for r in response.context["data"]["regions"]] == ["东风街道"]
    assert a3[-1].tracking_number not in html  # A3's repeat matter
    # Its map: B1's points, not A3's (which has one with coordinates).
    points = json.loads(client_for(district, key).get(POINTS).content)
    shown = sorted(p["url"] for s in points["series"] for p in s["points"])
    assert shown == sorted(reverse("cases:appeal_detail", args=[a.pk]) for a in b1)


def test_the_a3_leader_sees_none_of_b1(district, two):
    response = client_for(district, "leader").get(DASHBOARD)
    assert tile(response, "受理量") == 5
    assert [m.appeal_id for m in response.context["panels"]["repeats"]] == [two[0][-1].pk]
    assert "东风街道" not in [r["name"] for r in response.context["data"]["regions"]]
    cards = client_for(district, "leader").get(SCORECARDS).content.decode()
    assert B1_UNIT not in cards
    assert all(name in cards for name in A3_UNITS)


def test_a_districts_scorecards_rank_its_units_only(district, two):
    response = client_for(district, "b_leader").get(SCORECARDS)
    assert response.status_code == 200
    ranked = [row["row"].label for row in response.context["table"]]
    assert ranked == [B1_UNIT]
    html = response.content.decode()
    assert not any(name in html for name in A3_UNITS)
    assert "全部辖区" not in html  # a district's staff pick no district
    # Asking for another district changes nothing for them.
    a3_district = district.street_units[0].jurisdiction_id
    again = client_for(district, "b_leader").get(SCORECARDS, {"district": a3_district})
    assert [row["row"].label for row in again.context["table"]] == [B1_UNIT]


def test_the_citys_leader_sees_every_district_and_can_pick_one(district, two):
    a3, _, b = two
    client = client_for(district, "city_leader")
    response = client.get(DASHBOARD)
    assert tile(response, "受理量") == 7
    assert a3[-1].tracking_number in response.content.decode()
    regions = [r["name"] for r in response.context["data"]["regions"]]
    assert "东风街道" in regions and "桂花坪街道" in regions
    assert "全部辖区" in response.content.decode()
    cards = client.get(SCORECARDS).content.decode()
    assert B1_UNIT in cards and all(name in cards for name in A3_UNITS)

    picked = client.get(DASHBOARD, {"district": b.pk})
    assert tile(picked, "受理量") == 2
    assert a3[-1].tracking_number not in picked.content.decode()
    assert f'<option value="{b.pk}" selected>' in picked.content.decode()
    picked_cards = client.get(SCORECARDS, {"district": b.pk})
    assert [row["row"].label for row in picked_cards.context["table"]] == [B1_UNIT]
    points = json.loads(client.get(POINTS, {"district": b.pk}).content)
    assert sum(len(s["points"]) for s in points["series"]) == 2
    everywhere = json.loads(client.get(POINTS).content)
    assert sum(len(s["points"]) for s in everywhere["series"]) == 3


def sheet_rows(export: Export, sheet: int = 0) -> list[tuple[Any, ...]]:
    with export.file.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()), read_only=True)
    return [tuple(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


def test_a_b1_ledger_holds_no_a3_appeal(district, two, django_capture_on_commit_callbacks):
    _, b1, _ = two
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(district, "b_leader").post(reverse("metrics:ledger_export"))
    assert response.status_code == 302
    export = Export.objects.get(requested_by=district.user("b_leader"))
    assert export.status == ExportStatus.DONE, export.error
    numbers = {row[0] for row in sheet_rows(export)[1:]}
    assert numbers == {a.tracking_number for a in b1}


def test_a_b1_bulletin_export_ranks_b1_units_whatever_it_asks(
    district, two, django_capture_on_commit_callbacks
):
    a3_district = district.street_units[0].jurisdiction_id
    with django_capture_on_commit_callbacks(execute=True):
        client_for(district, "b_leader").post(
            reverse("metrics:bulletin_export"), {"format": "xlsx", "district": a3_district}
        )
    export = Export.objects.get(requested_by=district.user("b_leader"))
    assert export.status == ExportStatus.DONE, export.error
    ranking = sheet_rows(export, sheet=1)
    assert [row[1] for row in ranking[1:]] == [B1_UNIT]
