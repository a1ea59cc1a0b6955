"""Hotspots in the app: each appeal joins or starts one, with the index in the database, and
groups appeals as the library (and so `minxin triage hotspots`) does."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.triage.hotspots import appeal_hotspot_assign, hotspots_active, hotspots_backfill
from minxin.triage.management.commands.triage import parse_time
from minxin.triage.models import Hotspot, HotspotMember
from minxin.triage.nlp.hotspots import HotspotInput, find_hotspots, shipped_idf
from tests.builders import District, appeal_new
from tests.races import needs_concurrent_writers, race

from .conftest import read_rows

CARPARK = [
    ("投诉A市伊景园滨河苑捆绑销售车位", "开发商要求购房必须同时购买12万的车位"),
    ("坚决反对伊景园滨河苑强制捆绑销售车位", "不买车位就取消购房资格"),
    ("伊景园滨河苑捆绑车位销售合法吗", "广铁集团职工购房被捆绑车位"),
]


def test_appeals_about_one_matter_at_one_place_share_a_hotspot(district: District):
    now = timezone.now()
    ids = [
        appeal_new(district, title=t, content=c, appellant_phone=f"1380000000{i}").pk
        for i, (t, c) in enumerate(CARPARK)
    ]
    other_place = appeal_new(
        district, title="A市魅力之城小区捆绑销售车位", content="开发商要求购房必须购买车位"
    ).pk
    other_matter = appeal_new(
        district, title="A市伊景园滨河苑门口路灯不亮", content="晚上出行不便，路灯坏了"
    ).pk
    placed = [appeal_hotspot_assign(appeal_id=pk) for pk in ids]
    assert len(set(placed)) == 1
    assert appeal_hotspot_assign(appeal_id=other_place) != placed[0]
    assert appeal_hotspot_assign(appeal_id=other_matter) != placed[0]
    assert appeal_hotspot_assign(appeal_id=ids[0]) == placed[0]  # placed once
    hotspot = Hotspot.objects.get(pk=placed[0])
    assert (hotspot.label, hotspot.size) == ("伊景园滨河苑 · 捆绑销售车位", 3)
    [active] = hotspots_active(
        since=now - timedelta(days=1), until=now + timedelta(days=1), scan=10, rows=8
    )
    assert (active.hotspot_id, active.appeals, active.people) == (placed[0], 3, 3)
    assert active.appeal_id == ids[0]


def test_the_lookup_reads_a_bounded_set_whatever_is_stored(district: District):
    for i in range(30):
        pk = appeal_new(district, title=f"A市第{i}小区路灯不亮", content=f"第{i}号楼前路灯").pk
        appeal_hotspot_assign(appeal_id=pk)
    pk = appeal_new(district, title=CARPARK[0][0], content=CARPARK[0][1]).pk
    with CaptureQueriesContext(connection) as queries:
        appeal_hotspot_assign(appeal_id=pk)
    assert len(queries.captured_queries) <= 12


def test_the_app_groups_as_the_command_line_does(district: District):
    """The official examples and the car-park matter of board_with_likes.csv, fed one by one
    to the app, fall into the same groups as the library gives on the same rows."""
    rows = [
        r
        for r in read_rows("board_with_likes.csv")
        if any(w in r["title"] for w in ("魅力之城", "经济学院", "伊景园", "滨河苑"))
    ]
    items = [HotspotInput(r["id"], r["title"], r["content"], parse_time(r["time"])) for r in rows]
    expected: dict[str, set[str]] = {}
    for row in find_hotspots(items, idf=shipped_idf()).rows:
        expected.setdefault(row.cluster_id or row.id, set()).add(row.id)
    by_appeal: dict[int, str] = {}
    stamps = {k: it.time for k, it in enumerate(items) if it.time is not None}
    assert len(stamps) == len(items)
    for k in sorted(stamps, key=lambda k: (stamps[k], k)):
        it, when = items[k], stamps[k].replace(tzinfo=UTC)
        pk = appeal_new(district, title=it.title, content=it.content).pk
        Appeal.objects.filter(pk=pk).update(received_at=when)  # the message's time
        by_appeal[pk] = it.id
        appeal_hotspot_assign(appeal_id=pk)
    got: dict[int, set[str]] = {}
    for appeal_id, hotspot_id in HotspotMember.objects.values_list("appeal_id", "hotspot_id"):
        got.setdefault(hotspot_id, set()).add(by_appeal[appeal_id])
    assert sorted(map(sorted, got.values())) == sorted(map(sorted, expected.values()))


def test_backfill_places_every_appeal_once(district: District):
    ids = [appeal_new(district, title=t, content=c).pk for t, c in CARPARK]
    assert hotspots_backfill() == 3
    assert hotspots_backfill() == 0
    assert HotspotMember.objects.filter(appeal_id__in=ids).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_placing_one_appeal_at_once_leave_one_membership(district: District):
    """A dispatcher's triage panel and the worker triage the same appeal at the same moment:
    the second waits for the first and finds its hotspot (it was a duplicate key, a 500)."""
    needs_concurrent_writers()
    pk = appeal_new(district, title=CARPARK[0][0], content=CARPARK[0][1]).pk
    placed = race(lambda: appeal_hotspot_assign(appeal_id=pk), n=3)
    assert len(placed) == 3 and len(set(placed)) == 1
    assert HotspotMember.objects.filter(appeal_id=pk).count() == 1
