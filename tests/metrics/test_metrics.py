"""Every rate of docs/metrics.md on small histories built through the real services, with the
expected answer worked out next to each history.

Calendar used throughout (working hours 09:00-12:00 and 13:30-18:00, i.e. 7.5 h a day):
March 2025 has no statutory holiday; 03-03 is a Monday. With the default limits (normal
urgency: first contact within 8 working hours, resolve within 10 working days), an appeal
dispatched Monday 03-03 10:00 must be first contacted by Tuesday 03-04 10:30 and resolved by
Monday 03-17 18:00.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.cases.workflow import Action, AppealStatus, Satisfaction
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Unit
from minxin.feedback.services import rating_submit
from minxin.metrics.facts import metric_facts_apply
from minxin.metrics.metrics import RateCounts, RateRow, percentile, rates_for
from minxin.metrics.scorecards import score_of, scorecard_for
from tests.builders import District, appeal_in, appeal_new

TZ = ZoneInfo(settings.TIME_ZONE)
MARCH = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}
APRIL_1 = datetime(2025, 4, 1, 9, 0, tzinfo=TZ)  # "now" for the March figures


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


class Story:
    """Drive appeals through the services at chosen moments."""

    def __init__(self, d: District) -> None:
        self.d = d
        self.handler_of = {
            d.street_units[0].pk: "handler",
            d.street_units[1].pk: "handler_other",
            d.departments[0].pk: "handler_dept",
        }

    def _v(self, appeal: Appeal) -> int:
        return Appeal.objects.get(pk=appeal.pk).version

    def _handler(self, appeal: Appeal) -> Actor:
        unit_id = Appeal.objects.get(pk=appeal.pk).lead_unit_id
        assert unit_id is not None
        return Actor.of(self.d.user(self.handler_of[unit_id]))

    def new(
        self, when: datetime, *, category: Category | None = None, region_id: int | None = None
    ) -> Appeal:
        with time_machine.travel(when, tick=False):
            appeal = appeal_new(self.d)
            services.appeal_screen(
                appeal_id=appeal.pk,
                actor=Actor.of(self.d.user("dispatcher")),
                expected_version=self._v(appeal),
                category_id=(category or self.d.category).pk,
                region_id=region_id if region_id is not None else self.d.communities[0].pk,
                urgency=Urgency.NORMAL,
            )
        return appeal

    def dispatch(self, appeal: Appeal, when: datetime, unit: Unit) -> None:
        with time_machine.travel(when, tick=False):
            services.appeal_dispatch(
                appeal_id=appeal.pk,
                actor=Actor.of(self.d.user("dispatcher")),
                expected_version=self._v(appeal),
                lead_unit_id=unit.pk,
            )

    def accept(self, appeal: Appeal, when: datetime) -> None:
        with time_machine.travel(when, tick=False):
            services.appeal_act(
                appeal_id=appeal.pk,
                action=Action.ACCEPT,
                actor=self._handler(appeal),
                expected_version=self._v(appeal),
            )

    def contact(self, appeal: Appeal, when: datetime) -> None:
        with time_machine.travel(when, tick=False):
            services.appeal_act(
                action=Action.FIRST_CONTACT,
                appeal_id=appeal.pk,
                actor=self._handler(appeal),
                expected_version=self._v(appeal),
                reason="已电话联系",
            )

    def resolve(self, appeal: Appeal, when: datetime) -> None:
        with time_machine.travel(when, tick=False):
            services.reply_submit(
                appeal_id=appeal.pk,
                actor=self._handler(appeal),
                expected_version=self._v(appeal),
                reason="已处理完毕",
            )

    def rate(self, appeal: Appeal, when: datetime, satisfaction: str) -> None:
        with time_machine.travel(when, tick=False):
            rating_submit(
                appeal_id=appeal.pk,
                actor=Actor.citizen(),
                expected_version=self._v(appeal),
                satisfaction=satisfaction,
            )

    def handled(
        self,
        when: datetime,
        unit: Unit,
        *,
        resolve: datetime | None = None,
        contact: datetime | None = None,
        **new: object,
    ) -> Appeal:
        """New, dispatched at `when`, accepted and contacted an hour later (or at `contact`),
        resolved at `resolve` when given."""
        appeal = self.new(when, **new)  # type: ignore[arg-type]
        self.dispatch(appeal, when, unit)
        self.accept(appeal, when.replace(minute=30))
        self.contact(appeal, contact or when.replace(hour=when.hour + 1))
        if resolve is not None:
            self.resolve(appeal, resolve)
        return appeal

    def return_(self, appeal: Appeal, when: datetime) -> None:
        with time_machine.travel(when, tick=False):
            services.assignment_return(
                appeal_id=appeal.pk,
                actor=self._handler(appeal),
                expected_version=self._v(appeal),
                reason="不属于本单位",
            )

    def extend(self, appeal: Appeal, when: datetime, days: int) -> None:
        with time_machine.travel(when, tick=False):
            services.extension_request(
                appeal_id=appeal.pk,
                actor=self._handler(appeal),
                expected_version=self._v(appeal),
                days=days,
                reason="需协调管网改造",
            )
            services.extension_decide(
                appeal_id=appeal.pk,
                actor=Actor.of(self.d.user("supervisor")),
                expected_version=self._v(appeal),
                approve=True,
            )

    def reopen(self, appeal: Appeal, when: datetime) -> None:
        with time_machine.travel(when, tick=False):
            services.appeal_reopen(
                appeal_id=appeal.pk,
                actor=Actor.of(self.d.user("supervisor")),
                expected_version=self._v(appeal),
                reason="诉求人不满意，重新办理",
            )

    def suspend_resume(self, appeal: Appeal, suspend: datetime, resume: datetime) -> None:
        with time_machine.travel(suspend, tick=False):
            services.appeal_act(
                action=Action.SUSPEND,
                appeal_id=appeal.pk,
                actor=self._handler(appeal),
                expected_version=self._v(appeal),
                reason="请补充楼栋号",
            )
        with time_machine.travel(resume, tick=False):
            services.appeal_act(
                action=Action.RESUME,
                appeal_id=appeal.pk,
                actor=self._handler(appeal),
                expected_version=self._v(appeal),
            )

    def invalid(self, when: datetime) -> Appeal:
        with time_machine.travel(when, tick=False):
            appeal = appeal_new(self.d)
            services.appeal_act(
                appeal_id=appeal.pk,
                action=Action.MARK_INVALID,
                actor=Actor.of(self.d.user("dispatcher")),
                expected_version=self._v(appeal),
                reason="广告信息",
            )
        return appeal

    def merged(self, when: datetime, into: Appeal) -> Appeal:
        with time_machine.travel(when, tick=False):
            appeal = appeal_new(self.d)
            services.appeal_merge(
                appeal_id=appeal.pk,
                actor=Actor.of(self.d.user("dispatcher")),
                expected_version=self._v(appeal),
                into_tracking_number=into.tracking_number,
            )
        return appeal


@pytest.fixture
def story(district: District) -> Story:
    return Story(district)


def by_key(rows: list[RateRow]) -> dict[int | None, RateRow]:
    return {row.key: row for row in rows}


def district_row(**kwargs: object) -> RateRow:
    [row] = rates_for(**MARCH, group_by=None, now=APRIL_1, with_p90=True, **kwargs)  # type: ignore[arg-type]
    return row


def test_first_contact_rate_counts_due_contacts_made_in_time(story: Story) -> None:
    street_a = story.d.street_units[0]
    # Dispatched Mon 03-03 10:00, first contact due Tue 03-04 10:30.
    story.handled(at(3), street_a, contact=at(3, 15))  # #1 contacted Mon 15:00: in time
    story.handled(at(3), street_a, contact=at(5, 10))  # #2 contacted Wed 10:00: late
    never = story.new(at(3))  # #3 accepted, never contacted: due passed → missed
    story.dispatch(never, at(3), street_a)
    story.accept(never, at(3, 11))
    pending = story.new(at(31))  # #4 dispatched Mon 03-31 10:00, due Tue 04-01 10:30:
    story.dispatch(pending, at(31), street_a)  # not yet due on 04-01 09:00 → not counted
    row = by_key(rates_for(**MARCH, group_by="unit", now=APRIL_1))[street_a.pk]
    # → 1 / 3
    assert (row.counts.first_contact_on_time, row.counts.first_contact_due) == (1, 3)
    assert row.first_contact_rate == pytest.approx(1 / 3)
    # Once its limit has passed, #4 counts too (still uncontacted): 1 / 4.
    later = rates_for(**MARCH, group_by="unit", now=at(1, 11, month=4))
    assert by_key(later)[street_a.pk].counts.first_contact_due == 4


def test_on_time_rate_judges_against_the_deadline_in_force_extensions_included(
    story: Story,
) -> None:
    street_a = story.d.street_units[0]
    # All dispatched Mon 03-03 10:00: resolve due Mon 03-17 18:00.
    story.handled(at(3), street_a, resolve=at(10))  # #1 resolved 03-10: on time
    extended = story.handled(at(3), street_a)  # #2 extended 3 working days → due Thu 03-20
    story.extend(extended, at(12), days=3)
    story.resolve(extended, at(19))  # resolved Wed 03-19: late by the first deadline, on time
    story.handled(at(3), street_a, resolve=at(18))  # #3 resolved 03-18: late
    story.handled(at(3), street_a)  # #4 still open, due 03-17 passed: overdue, counted
    story.handled(at(20), street_a)  # #5 open, due 04-03: neither resolved nor overdue
    assert Appeal.objects.get(pk=extended.pk).resolve_due == at(20, 18)
    row = district_row()
    # → on time #1 #2 = 2 / resolved or overdue #1 #2 #3 #4 = 4
    assert (row.counts.resolved_on_time, row.counts.resolved_or_overdue) == (2, 4)
    assert row.on_time_rate == 0.5


def test_reply_resolution_repeat_and_reopen_with_invalid_merged_and_reopened(
    story: Story,
) -> None:
    street_a = story.d.street_units[0]
    first = story.handled(at(3), street_a, resolve=at(10))  # #1 replied, resolved
    story.rate(first, at(11), Satisfaction.SATISFIED)
    reopened = story.handled(at(3), street_a, resolve=at(10))  # #2 replied, then reopened:
    story.rate(reopened, at(11), Satisfaction.DISSATISFIED)  # in progress again, so not
    story.reopen(reopened, at(12))  # resolved now
    story.handled(at(4), street_a)  # #3 in progress: neither replied nor resolved
    story.invalid(at(5))  # #4 invalid: excluded from every count
    story.merged(at(6), into=first)  # #5 merged into #1: a repeat, not a valid new appeal
    row = district_row()
    c = row.counts
    # received (not invalid): #1 #2 #3 #5 = 4, of which repeats: #5 → repeat rate 1/4
    assert (c.repeats, c.received) == (1, 4)
    # received valid (neither invalid nor merged): #1 #2 #3 = 3
    # replied: #1 #2 → 2/3; resolved now: #1 → 1/3
    assert (c.replied, c.resolved, c.received_valid) == (2, 1, 3)
    assert row.reply_rate == pytest.approx(2 / 3)
    assert row.resolution_rate == pytest.approx(1 / 3)
    # resolved in March (a RESOLVE event): #1 #2; reopened after it: #2 → reopen rate 1/2
    assert (c.reopened, c.resolved_in_period) == (1, 2)
    assert row.reopen_rate == 0.5
    # The merged duplicate counts against the unit of the appeal it repeats.
    unit_row = by_key(rates_for(**MARCH, group_by="unit", now=APRIL_1))[street_a.pk]
    assert (unit_row.counts.repeats, unit_row.counts.received) == (1, 4)
    # The reopened appeal resolved again in April: April's reopen rate is 0/1, March keeps 1/2.
    story.resolve(reopened, at(2, month=4))
    [april] = rates_for(
        start=date(2025, 4, 1), end=date(2025, 4, 30), group_by=None, now=at(3, month=4)
    )
    assert (april.counts.reopened, april.counts.resolved_in_period) == (0, 1)
    assert district_row().reopen_rate == 0.5


def test_satisfaction_rate_counts_ratings_given_in_the_period(story: Story) -> None:
    street_a = story.d.street_units[0]
    for satisfaction in (
        Satisfaction.SATISFIED,
        Satisfaction.BASICALLY_SATISFIED,
        Satisfaction.DISSATISFIED,
    ):
        appeal = story.handled(at(3), street_a, resolve=at(5))
        story.rate(appeal, at(6), satisfaction)
    story.handled(at(3), street_a, resolve=at(5))  # resolved, never rated: not in the rate
    late = story.handled(at(3), street_a, resolve=at(28))
    story.rate(late, at(1, month=4), Satisfaction.DISSATISFIED)  # rated in April: not March
    row = district_row()
    # (satisfied 1 + basically satisfied 1) / rated 3 = 2/3
    assert (row.counts.satisfied, row.counts.rated) == (2, 3)
    assert row.satisfaction_rate == pytest.approx(2 / 3)


def test_return_counts_against_the_returning_unit(story: Story) -> None:
    street_a, street_b = story.d.street_units
    appeal = story.new(at(3))
    story.dispatch(appeal, at(3), street_a)  # dispatch 1: to A
    story.return_(appeal, at(3, 11))  # A returns it
    story.dispatch(appeal, at(3, 14), street_b)  # dispatch 2: to B, which handles it
    story.accept(appeal, at(3, 15))
    story.contact(appeal, at(3, 16))
    story.handled(at(4), street_b)  # dispatch 3: to B
    rows = by_key(rates_for(**MARCH, group_by="unit", now=APRIL_1))
    # A: returns 1 / dispatches 1; B: 0 / 2
    assert (rows[street_a.pk].counts.returns, rows[street_a.pk].counts.dispatches) == (1, 1)
    assert rows[street_a.pk].return_rate == 1.0
    assert (rows[street_b.pk].counts.returns, rows[street_b.pk].counts.dispatches) == (0, 2)
    assert rows[street_b.pk].return_rate == 0.0
    # The rest of the appeal's record is B's: both first contacts in time, none of them A's.
    assert rows[street_b.pk].counts.first_contact_due == 2
    assert rows[street_a.pk].counts.first_contact_due == 0
    # District-wide: 1 return in 3 dispatches.
    assert district_row().return_rate == pytest.approx(1 / 3)


def test_handling_time_in_working_days_excludes_suspension(story: Story) -> None:
    street_a = story.d.street_units[0]
    # Mon 09:00 → Mon 18:00: one full working day (7.5 h) = 1.0
    story.handled(at(3, 9), street_a, resolve=at(3, 18))
    # Mon 09:00 → Wed 13:30: Mon 7.5 h + Tue 7.5 h + Wed 3 h = 18 h = 2.4 days
    story.handled(at(3, 9), street_a, resolve=at(5, 13, 30))
    # Mon 09:00 → Wed 18:00 = 3 days, suspended Mon 12:00 → Tue 12:00 (Mon 13:30-18:00 4.5 h
    # + Tue 09:00-12:00 3 h = 7.5 h = 1 day) → 2.0 days
    paused = story.handled(at(3, 9), street_a)
    story.suspend_resume(paused, at(3, 12), at(4, 12))
    story.resolve(paused, at(5, 18))
    row = district_row()
    # [1.0, 2.0, 2.4]: average 1.8; p90 at rank 0.9 × 2 = 1.8 → 2.0 + 0.8 × 0.4 = 2.32
    assert row.counts.handled == 3
    assert row.avg_handling_days == pytest.approx(1.8)
    assert row.p90_handling_days == pytest.approx(2.32)
    assert percentile([5.0], 0.9) == 5.0


def test_grouping_by_top_category_and_subdistrict(story: Story) -> None:
    d = story.d
    traffic = Category.objects.create(name="交通管理")
    parking = Category.objects.create(name="停车管理", parent=traffic)
    story.new(at(3))  # 城乡建设/…/环境卫生, community of street 0
    story.new(at(3), category=parking, region_id=d.communities[1].pk)  # street 1
    story.new(at(3), category=traffic, region_id=d.streets[0].pk)  # the street itself
    by_category = by_key(rates_for(**MARCH, group_by="category", now=APRIL_1))
    assert {k: (r.label, r.counts.received) for k, r in by_category.items()} == {
        d.category_top.pk: ("城乡建设", 1),
        traffic.pk: ("交通管理", 2),
    }
    by_region = by_key(rates_for(**MARCH, group_by="region", now=APRIL_1))
    assert {k: (r.label, r.counts.received) for k, r in by_region.items()} == {
        d.streets[0].pk: ("桂花坪街道", 2),
        d.streets[1].pk: ("望月湖街道", 1),
    }
    # None of them dispatched yet: one row without a unit.
    [no_unit] = rates_for(**MARCH, group_by="unit", now=APRIL_1)
    assert (no_unit.key, no_unit.label, no_unit.counts.received) == (None, "未派单", 3)


def test_empty_period_has_no_rates(story: Story) -> None:
    story.handled(at(3), story.d.street_units[0], resolve=at(4))
    [row] = rates_for(start=date(2024, 1, 1), end=date(2024, 1, 31), group_by=None)
    assert row.counts == RateCounts()
    assert row.label == "全区"
    for name in (
        "first_contact_rate",
        "on_time_rate",
        "reply_rate",
        "resolution_rate",
        "satisfaction_rate",
        "repeat_rate",
        "return_rate",
        "reopen_rate",
        "avg_handling_days",
        "p90_handling_days",
    ):
        assert getattr(row, name) is None, name
    assert rates_for(start=date(2024, 1, 1), end=date(2024, 1, 31), group_by="unit") == []


def test_composite_score_with_default_weights() -> None:
    row = RateRow(
        key=1,
        label="x",
        counts=RateCounts(
            first_contact_on_time=1,
            first_contact_due=1,
            resolved_on_time=1,
            resolved_or_overdue=2,
            returns=1,
            dispatches=4,
        ),
    )
    # Defined rates only: first contact 1.0 (w 15), on time 0.5 (w 25), return 0.25 counted as
    # 1 − 0.25 = 0.75 (w 5): 100 × (15 + 12.5 + 3.75) / 45 = 69.44
    assert score_of(row) == 69.44
    assert score_of(RateRow(key=2, label="y", counts=RateCounts())) is None


def test_scorecard_ranks_units_with_change_against_previous_period(
    story: Story,
    settings: Any,  # pytest-django's settings fixture
) -> None:
    settings.MINXIN = {**settings.MINXIN, "SCORE_WEIGHTS": {"satisfaction_rate": 1}}
    street_a, street_b = story.d.street_units
    # Week of 03-03: A satisfied, B dissatisfied → A 100 (1st), B 0 (2nd).
    # Week of 03-10: A dissatisfied, B satisfied → B 100 (1st, up 1), A 0 (2nd, down 1).
    for unit, week1, week2 in (
        (street_a, Satisfaction.SATISFIED, Satisfaction.DISSATISFIED),
        (street_b, Satisfaction.DISSATISFIED, Satisfaction.SATISFIED),
    ):
        for day, satisfaction in ((3, week1), (10, week2)):
            appeal = story.handled(at(day), unit, resolve=at(day + 1))
            story.rate(appeal, at(day + 2), satisfaction)
    with time_machine.travel(at(17), tick=False):
        rows = scorecard_for(start=date(2025, 3, 10), end=date(2025, 3, 16))
    ranked = [(r.label, r.score, r.rank, r.score_delta, r.rank_delta) for r in rows]
    assert ranked[:2] == [
        ("望月湖街道办事处", 100.0, 1, 100.0, 1),
        ("桂花坪街道办事处", 0.0, 2, -100.0, -1),
    ]
    # The departments had nothing to measure: listed, unranked.
    assert [(r.rank, r.score) for r in rows[2:]] == [(None, None), (None, None)]
    assert rows[0].previous_rank == 2 and rows[0].previous_score == 0.0


def test_query_count_does_not_grow_with_appeals(
    district: District, django_assert_max_num_queries: object
) -> None:
    """Reading is a fixed number of queries over the cells, and applying the pending changes
    is a fixed number of queries per batch, whatever the number of appeals."""
    today = timezone.localdate()

    def applying() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert metric_facts_apply() > 0
        return len(ctx.captured_queries)

    def reading() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows = rates_for(start=today, end=today, group_by="unit")
        assert rows
        return len(ctx.captured_queries)

    for _ in range(5):
        appeal_in(district, AppealStatus.RATED)
    apply_small, read_small = applying(), reading()
    for _ in range(20):
        appeal_in(district, AppealStatus.RATED)
    assert applying() <= apply_small  # the first run also created the lock row
    with django_assert_max_num_queries(read_small):  # type: ignore[operator]
        rows = rates_for(start=today, end=today, group_by="unit")
    assert read_small <= 6
    assert by_key(rows)[district.street_units[0].pk].counts.rated == 25
