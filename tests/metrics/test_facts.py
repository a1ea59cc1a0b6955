"""The pre-aggregated cells: kept by applying each changed appeal's difference, they must equal
a recount from scratch after any history, and the clock-dependent figures must be exact
without any write."""

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.board.models import AppealSupport
from minxin.cases import services
from minxin.cases.models import Appeal, ChangedAppeal
from minxin.cases.workflow import AppealStatus, Satisfaction
from minxin.feedback.services import rating_submit
from minxin.metrics.facts import COUNTERS, metric_facts_apply, metrics_rebuild
from minxin.metrics.metrics import rates_for
from minxin.metrics.models import MetricCell
from minxin.metrics.selectors import Period, dashboard_for
from minxin.metrics.tasks import apply_metric_changes_task
from minxin.triage.hotspots import appeal_hotspot_assign
from tests.builders import District, appeal_in, appeal_new


def cells() -> dict[tuple[str, str, str], tuple[int, ...]]:
    """Every non-empty cell, as comparable values."""
    out = {}
    for row in MetricCell.objects.values("dim", "day", "key", *COUNTERS):
        counts = tuple(row[c] for c in COUNTERS)
        if any(counts):
            out[(row["dim"], str(row["day"]), row["key"])] = counts
    return out


def test_applied_changes_equal_a_recount_after_every_kind_of_history(district: District) -> None:
    for status in AppealStatus:
        appeal_in(district, status)
    # A reopen, a merge into an appeal that then changes unit, and repeated applications.
    follow_up = appeal_in(district, AppealStatus.FOLLOW_UP)
    services.appeal_reopen(
        appeal_id=follow_up.pk,
        actor=Actor.of(district.user("supervisor")),
        expected_version=Appeal.objects.get(pk=follow_up.pk).version,
        reason="群众不满意，重新办理",
    )
    metric_facts_apply()
    incremental = cells()
    assert incremental, "the histories must have been counted"
    metrics_rebuild()
    assert cells() == incremental
    # Counted in two parts (as two processes would), merged duplicates handed over: the same.
    metrics_rebuild(apply=False)
    assert not cells()
    metric_facts_apply(part=(0, 2))
    metric_facts_apply(part=(1, 2))
    metric_facts_apply()  # nothing left: the parts counted every appeal once
    assert cells() == incremental
    # Applying an appeal again (a spurious change row) changes nothing.
    ChangedAppeal.objects.bulk_create([ChangedAppeal(appeal_id=follow_up.pk)])
    metric_facts_apply()
    assert cells() == incremental


def test_a_merged_duplicate_follows_its_target_to_the_unit_it_is_dispatched_to(
    district: District,
) -> None:
    target = appeal_new(district, title="同一件事")
    duplicate = appeal_new(district)
    dispatcher = Actor.of(district.user("dispatcher"))
    services.appeal_merge(
        appeal_id=duplicate.pk,
        actor=dispatcher,
        expected_version=Appeal.objects.get(pk=duplicate.pk).version,
        into_tracking_number=target.tracking_number,
    )
    today = timezone.localdate()
    [unplaced] = rates_for(start=today, end=today, group_by="unit")
    assert (unplaced.key, unplaced.counts.repeats) == (None, 1)
    for step in ("screen", "dispatch"):
        version = Appeal.objects.get(pk=target.pk).version
        if step == "screen":
            services.appeal_screen(
                appeal_id=target.pk,
                actor=dispatcher,
                expected_version=version,
                category_id=district.category.pk,
                region_id=district.communities[0].pk,
                urgency="normal",
            )
        else:
            services.appeal_dispatch(
                appeal_id=target.pk,
                actor=dispatcher,
                expected_version=version,
                lead_unit_id=district.street_units[0].pk,
            )
    rows = {r.key: r.counts for r in rates_for(start=today, end=today, group_by="unit")}
    assert rows[district.street_units[0].pk].repeats == 1
    assert rows[district.street_units[0].pk].received == 2
    assert None not in rows


def test_first_contact_falls_due_with_the_clock_alone(district: District) -> None:
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.first_contact_due is not None
    today = timezone.localdate()

    def due(now: Any) -> tuple[int, int]:
        [row] = rates_for(start=today, end=today, group_by=None, now=now)
        return row.counts.first_contact_due, row.counts.first_contact_on_time

    before = appeal.first_contact_due - timedelta(minutes=1)
    after = appeal.first_contact_due + timedelta(minutes=1)
    metric_facts_apply()
    assert due(before) == (0, 0)
    assert due(after) == (1, 0)  # due and not contacted: counted, not on time
    assert not ChangedAppeal.objects.exists()  # no write in between: the clock alone


def test_dashboard_panels_hotspots_repeats_and_low_satisfaction(district: District) -> None:
    dispatcher = Actor.of(district.user("dispatcher"))
    target = appeal_new(district, title="夜间施工噪音扰民", appellant_phone="13800000001")

    def merge(phone: str) -> None:
        dup = appeal_new(district, title="夜间施工噪音", appellant_phone=phone)
        services.appeal_merge(
            appeal_id=dup.pk,
            actor=dispatcher,
            expected_version=Appeal.objects.get(pk=dup.pk).version,
            into_tracking_number=target.tracking_number,
        )

    merge("13800000002")  # another person: a hotspot
    merge("13800000001")  # the same person again: a repeat
    AppealSupport.objects.create(appeal=target, supporter="reader-1")
    # Triage puts each appeal in the hotspot of its place and matter (集中投诉).
    for appeal_id in Appeal.objects.order_by("pk").values_list("pk", flat=True):
        appeal_hotspot_assign(appeal_id=appeal_id)
    for _ in range(5):
        rated = appeal_in(district, AppealStatus.RESOLVED)
        with time_machine.travel(timezone.now() + timedelta(minutes=1)):
            rating_submit(
                appeal_id=rated.pk,
                actor=Actor.citizen(),
                expected_version=Appeal.objects.get(pk=rated.pk).version,
                satisfaction=Satisfaction.DISSATISFIED,
            )
    today = timezone.localdate()
    board = dashboard_for(period=Period(today - timedelta(days=6), today))
    [hot] = board.hotspots
    assert (hot.appeal_id, hot.people, hot.appeals, hot.supports) == (target.pk, 2, 3, 1)
    assert hot.title.startswith("景蓉华苑")  # the hotspot's label: place · matter
    [again] = board.repeats
    assert again.appeal_id == target.pk
    [low] = board.low_satisfaction
    assert (low.satisfied, low.rated) == (0, 5)
    top = district.category
    while top.parent is not None:
        top = top.parent
    assert (low.category_id, low.name) == (top.pk, top.name)


def test_a_page_applies_one_batch_and_says_the_rest_is_being_counted(
    district: District, client, monkeypatch
) -> None:
    """A backlog larger than a batch (a bulk import) is the periodic task's: the page applies
    one batch, shows its figures and tells how many changes are still being counted."""
    from minxin.metrics import facts

    for _ in range(3):
        appeal_new(district)
    metric_facts_apply()
    for _ in range(5):
        appeal_new(district)
    monkeypatch.setattr(facts, "BATCH", 2)
    client.force_login(district.user("supervisor"))
    response = client.get("/console/supervision/")
    assert response.status_code == 200
    assert ChangedAppeal.objects.count() == 3  # 5 pending, one batch of 2 applied
    assert "另有 3 件诉求的最新办理情况正在计入统计" in response.content.decode()
    metric_facts_apply()  # the periodic task
    [row] = rates_for(start=timezone.localdate(), end=timezone.localdate(), group_by=None)
    assert row.counts.received == 8
    assert "正在计入统计" not in client.get("/console/supervision/").content.decode()


def test_the_open_appeal_figures_are_cached_and_refreshed_by_the_task(district: District) -> None:
    from django.core.cache import cache

    today = timezone.localdate()
    period = Period(today - timedelta(days=6), today)
    before = dashboard_for(period=period).sla.open
    appeal_in(district, AppealStatus.IN_PROGRESS)
    assert dashboard_for(period=period).sla.open == before  # within LIVE_SECONDS
    assert dashboard_for(period=period, now=timezone.now()).sla.open == before + 1
    cache.clear()
    assert dashboard_for(period=period).sla.open == before + 1
    # The periodic task refreshes the default period's (the last 30 days).
    default = Period(today - timedelta(days=29), today)
    assert dashboard_for(period=default).sla.open == before + 1
    appeal_in(district, AppealStatus.IN_PROGRESS)
    assert dashboard_for(period=default).sla.open == before + 1
    apply_metric_changes_task.enqueue(reschedule=False)
    assert dashboard_for(period=default).sla.open == before + 2


def test_parallel_recounts_need_postgresql(district: District) -> None:
    import pytest
    from django.core.management import CommandError, call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the refusal is SQLite's; PostgreSQL runs the workers")
    with pytest.raises(CommandError, match="需要 PostgreSQL"):
        call_command("metrics_rebuild", workers=2)
