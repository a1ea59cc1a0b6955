"""The duplicate lookup over every stored appeal: signatures in the database, candidates by
LSH band within the window, scored by the library."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.triage.duplicates import (
    duplicate_index_for,
    duplicates_current,
    signatures_backfill,
    signatures_store,
)
from minxin.triage.models import AppealSignature
from minxin.triage.nlp.duplicates import signature
from tests.builders import District, appeal_in, appeal_new

TEXT = "景蓉华苑小区门口垃圾堆放三天无人清运，气味很大，希望尽快处理。"


def lookup(appeal: Appeal):
    index = duplicate_index_for(
        title=appeal.title, content=appeal.content, around=appeal.received_at, exclude_id=appeal.pk
    )
    return index.query(
        appeal.title,
        appeal.content,
        time=appeal.received_at.timestamp(),
        person=appeal.appellant_phone or None,
    )


def test_an_earlier_appeal_about_the_same_matter_is_found_among_many(district: District):
    first = appeal_new(district, content=TEXT, appellant_phone="13900000001")
    others = [
        appeal_new(district, title=f"其他事项{i}", content=f"第{i}件无关的事情：路灯不亮。")
        for i in range(30)
    ]
    signatures_store([first.pk, *(a.pk for a in others)])
    again = appeal_new(district, content=TEXT + "还是没人管。", appellant_phone="13900000001")
    signature.cache_clear()
    with CaptureQueriesContext(connection) as queries:
        found = lookup(again)
    assert len(queries.captured_queries) == 1  # one indexed query, however many are stored
    assert signature.cache_info().misses == 1  # the new text is signed once, not per step
    assert [c.key for c in found][:1] == [first.pk]
    assert found[0].same_person and found[0].similarity > 0.5


def test_outside_the_window_or_invalid_is_not_a_duplicate_and_merged_stands_for_its_target(
    district: District,
):
    old = appeal_new(district, content=TEXT)
    Appeal.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=120))
    invalid = appeal_in(district, AppealStatus.INVALID)
    merged = appeal_in(district, AppealStatus.MERGED)  # into a new appeal of the same text
    target = Appeal.objects.get(pk=merged.pk).merged_into
    assert target is not None
    signatures_backfill()
    assert AppealSignature.objects.count() == Appeal.objects.count()
    new = appeal_new(district, content=TEXT)
    hits = lookup(new)
    assert old.pk not in {c.key for c in hits}
    assert {invalid.pk, merged.pk, target.pk} <= {c.key for c in hits}
    with CaptureQueriesContext(connection) as queries:
        current = duplicates_current(hits)
    assert len(queries.captured_queries) == 1
    ids = [d.appeal_id for d in current]
    assert target.pk in ids and len(ids) == len(set(ids))
    assert invalid.pk not in ids and merged.pk not in ids
    assert {d.appeal_id: d.tracking_number for d in current}[target.pk] == (target.tracking_number)


def test_backfill_stores_each_appeal_once(district: District):
    appeals = [appeal_new(district) for _ in range(3)]
    assert signatures_backfill(batch=2) == 3
    assert signatures_backfill(batch=2) == 0
    assert set(AppealSignature.objects.values_list("appeal_id", flat=True)) == {
        a.pk for a in appeals
    }
