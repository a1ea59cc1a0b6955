"""Triage in batches: a run takes the appeals waiting for their suggestion together, stores what
one-by-one triage would have stored (an appeal finds an earlier one of its own batch as its
duplicate), acts on 快速交办 rules through the appeals' services, and costs far fewer queries."""

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.services import appeal_screen
from minxin.cases.workflow import Action, AppealStatus
from minxin.dispatch.models import RoutingRule
from minxin.triage.hotspots import appeal_hotspot_assign
from minxin.triage.models import (
    AppealSignature,
    AutoDispatchRule,
    Hotspot,
    HotspotKey,
    HotspotMember,
    TriageSuggestion,
)
from minxin.triage.services import appeal_triage, appeals_triage, appeals_triage_waiting
from minxin.triage.tasks import triage_waiting_task
from tests.builders import District, appeal_new

pytestmark = pytest.mark.django_db

GARBAGE = (
    "景蓉华苑小区垃圾无人清运",
    "桂花坪街道景蓉华苑小区门口生活垃圾堆放三天无人清运，气味很大。",
)
TEXTS = [
    GARBAGE,
    ("路灯不亮", "景蓉华苑东门路灯坏了一周，晚上很黑。"),
    ("小区停水三天无人管", "芙蓉路景苑小区自来水停水三天，物业和自来水公司都没有说明原因。"),
    ("加微信 abc12345 低息贷款", "快速放款，日结工资，联系微信"),
    ("物业乱收停车费", "银杉小区物业公司擅自上调停车费，每月多收两百元，业主多次反映无果。"),
    GARBAGE,  # the first one again: its duplicate
    ("望月湖街道噪音扰民", "望月湖小区楼下烧烤店每天营业到凌晨两点，噪音很大，无法休息。"),
]
FIELDS = [
    "category_id",
    "category_path",
    "top_category_name",
    "confidence",
    "urgency",
    "urgency_reason",
    "is_valid",
    "validity_reason",
    "place_text",
    "region_id",
    "personal_data",
    "duplicates",
    "suggested_unit_id",
    "model_version_id",
]


@pytest.fixture
def routed(district: District) -> District:
    """A routing rule: 城乡建设 anywhere → street 0's office."""
    RoutingRule.objects.create(
        category=district.category_top, unit=district.street_units[0], note="测试"
    )
    return district


def _appeals(d: District, texts: list[tuple[str, str]]) -> list[int]:
    """Received straight through cases (no triage ran), in this order; every other one at a
    known place."""
    return [
        appeal_new(
            d,
            title=title,
            content=content,
            appellant_phone=f"138000000{n % 3:02d}",
            region_id=d.communities[n % 2].pk if n % 2 else None,
        ).pk
        for n, (title, content) in enumerate(texts)
    ]


def _stored(ids: list[int]) -> dict[int, dict[str, Any]]:
    return {
        s.appeal_id: {f: getattr(s, f) for f in FIELDS}
        for s in TriageSuggestion.objects.filter(appeal_id__in=ids)
    }


def _forget(ids: list[int]) -> None:
    """As if triage had never run: no suggestion, signature or hotspot."""
    TriageSuggestion.objects.filter(appeal_id__in=ids).delete()
    AppealSignature.objects.filter(appeal_id__in=ids).delete()
    HotspotMember.objects.all().delete()
    HotspotKey.objects.all().delete()
    Hotspot.objects.all().delete()


def test_a_batch_stores_what_one_by_one_triage_stores(routed, installed_model):
    ids = _appeals(routed, TEXTS * 2)
    earlier, batch = ids[:3], ids[3:]  # the earlier ones triaged before: found in the database
    for appeal_id in ids:
        appeal_triage(appeal_id=appeal_id, auto_dispatch=False)
    one_by_one = _stored(batch)
    hotspots = sorted(HotspotMember.objects.values_list("appeal_id", "hotspot__size"))
    _forget(batch)
    for appeal_id in earlier:
        appeal_hotspot_assign(appeal_id=appeal_id)

    stored = appeals_triage(appeal_ids=batch[::-1], auto_dispatch=False)  # order given: any

    assert set(stored) == set(batch)
    assert _stored(batch) == one_by_one
    assert {s.pk for s in stored.values()} == set(
        TriageSuggestion.objects.filter(appeal_id__in=batch).values_list("pk", flat=True)
    )
    assert sorted(HotspotMember.objects.values_list("appeal_id", "hotspot__size")) == hotspots
    # Duplicates found, of earlier appeals only: stored before the batch and within it.
    found = {i: [d["appeal_id"] for d in one_by_one[i]["duplicates"]] for i in batch}
    assert found[ids[5]] == [ids[0]] and sorted(found[ids[7]]) == [ids[0], ids[5]]
    assert all(d < i for i in batch for d in found[i])


def test_triage_again_updates_the_row_in_place(routed, installed_model):
    [appeal_id] = _appeals(routed, TEXTS[:1])
    first = appeal_triage(appeal_id=appeal_id, auto_dispatch=False)
    again = appeal_triage(appeal_id=appeal_id, auto_dispatch=False)
    row = TriageSuggestion.objects.get(appeal_id=appeal_id)
    assert first.pk == again.pk == row.pk and row.created_at <= row.updated_at


def test_an_unknown_appeal_is_refused(routed, installed_model):
    with pytest.raises(Appeal.DoesNotExist):
        appeal_triage(appeal_id=987654)


def test_the_task_takes_the_waiting_appeals_and_finds_duplicates_within_the_batch(
    routed, installed_model
):
    first, other, again = _appeals(routed, [GARBAGE, TEXTS[1], GARBAGE])

    result = triage_waiting_task.call()

    stored = {s.appeal_id: s for s in TriageSuggestion.objects.all()}
    assert set(stored) == {first, other, again}  # the batch took the three
    assert result == 3
    assert stored[first].duplicates == []  # the later one is not the earlier one's duplicate
    assert [d["appeal_id"] for d in stored[again].duplicates] == [first]
    assert (
        stored[again].duplicates[0]["tracking_number"]
        == Appeal.objects.get(pk=first).tracking_number
    )


def test_a_run_with_nothing_waiting_costs_one_query(routed, installed_model):
    _, second = _appeals(routed, TEXTS[1:3])
    assert triage_waiting_task.call() == 2
    done = TriageSuggestion.objects.get(appeal_id=second)

    with CaptureQueriesContext(connection) as queries:
        result = triage_waiting_task.call()

    assert result == 0 and _not_savepoints(queries) == 1
    assert TriageSuggestion.objects.get(appeal_id=second).updated_at == done.updated_at


def test_the_batch_is_the_oldest_waiting_for_screening_up_to_the_limit(routed, installed_model):
    ids = _appeals(routed, TEXTS[:5])
    appeal_triage(appeal_id=ids[1], auto_dispatch=False)  # done already
    screened = Appeal.objects.get(pk=ids[2])
    appeal_screen(
        appeal_id=screened.pk,
        actor=Actor.of(routed.user("dispatcher")),
        expected_version=screened.version,
        category_id=routed.category.pk,
        region_id=None,
        urgency="normal",
    )
    before = set(TriageSuggestion.objects.values_list("appeal_id", flat=True))

    run = appeals_triage_waiting(limit=2, seconds=0)  # its time up after the first batch

    # The oldest waiting for screening with no suggestion: not the one done, not the one
    # screened (nobody waits for its suggestion), not past the limit.
    taken = set(TriageSuggestion.objects.values_list("appeal_id", flat=True)) - before
    assert taken == {ids[0], ids[3]} and run.triaged == 2 and run.more
    run = appeals_triage_waiting(limit=2, seconds=0)
    assert run.triaged == 1 and not run.more  # a short batch: none left
    assert not TriageSuggestion.objects.filter(appeal_id=ids[2]).exists()


def test_one_run_takes_batch_after_batch_until_none_is_left(routed, installed_model):
    ids = _appeals(routed, TEXTS[:5])

    run = appeals_triage_waiting(limit=2)

    assert (run.triaged, run.more) == (5, False)  # batches of 2, 2 and 1
    assert set(TriageSuggestion.objects.values_list("appeal_id", flat=True)) == set(ids)
    assert appeals_triage_waiting(limit=2).triaged == 0


def test_a_batch_applies_the_rules_through_the_appeals_services(routed, installed_model):
    AutoDispatchRule.objects.create(category=routed.category_top, min_confidence=Decimal("0.10"))
    first, advert, again = _appeals(routed, [GARBAGE, TEXTS[3], GARBAGE])

    triage_waiting_task.call()

    statuses = dict(Appeal.objects.values_list("pk", "status"))
    assert statuses == {
        first: AppealStatus.DISPATCHED,
        advert: AppealStatus.RECEIVED,  # not valid
        again: AppealStatus.RECEIVED,  # a duplicate: a dispatcher decides
    }
    events = [
        (e.action, e.actor.role if e.actor else Role.SYSTEM)
        for e in AppealEvent.objects.filter(appeal_id=first).select_related("actor").order_by("pk")
    ]
    assert events[1:] == [(Action.SCREEN, Role.SYSTEM), (Action.DISPATCH, Role.SYSTEM)]


def test_a_batch_of_twenty_costs_far_fewer_queries_than_one_by_one(routed, installed_model):
    AutoDispatchRule.objects.create(category=routed.category_top, min_confidence=Decimal("1.00"))
    ids = _appeals(routed, (TEXTS * 3)[:20])
    with CaptureQueriesContext(connection) as alone:
        for appeal_id in ids:
            appeal_triage(appeal_id=appeal_id)
    _forget(ids)

    with CaptureQueriesContext(connection) as batched:
        triage_waiting_task.call()

    assert TriageSuggestion.objects.count() == 20
    per_alone, per_batch = len(alone) / 20, len(batched) / 20
    assert per_batch <= 0.6 * per_alone, (per_alone, per_batch)
    # What stays per appeal is the hotspot (joined or started: a few statements, one per key on
    # SQLite, and the lock of its appeal, which reads cases_appeal) and the duplicate lookup;
    # the rest is read and written once for the batch.
    alone_rest, batched_rest = _not_hotspots(alone) / 20, _not_hotspots(batched) / 20
    assert alone_rest >= 8 and batched_rest <= 3, (alone_rest, batched_rest)


def _not_savepoints(queries: CaptureQueriesContext) -> int:
    """The statements but the savepoints (an atomic block in a test's transaction)."""
    return sum(not q["sql"].startswith(("SAVEPOINT", "RELEASE")) for q in queries.captured_queries)


def _not_hotspots(queries: CaptureQueriesContext) -> int:
    """The statements but the hotspots' and the savepoints (each hotspot is its own atomic
    block: in a test's transaction, a savepoint and its release)."""
    return sum(
        "triage_hotspot" not in q["sql"] and not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        for q in queries.captured_queries
    )


@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked, reason="no SKIP LOCKED"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_take_the_same_appeal(installed_model):
    from tests.builders import district_build

    d = district_build()
    held, waiting = _appeals(d, TEXTS[1:3])
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:  # holds its batch (the first appeal) while this one runs
        try:
            with transaction.atomic():
                Appeal.objects.select_for_update(no_key=True).get(pk=held)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        assert appeals_triage_waiting().triaged == 1  # the one held elsewhere is not taken
        assert list(TriageSuggestion.objects.values_list("appeal_id", flat=True)) == [waiting]
    finally:
        release.set()
        thread.join()
