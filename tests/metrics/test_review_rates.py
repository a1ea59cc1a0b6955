"""审核退回率, 回访率 and 实际解决率 (docs/metrics.md), hand-worked on small histories built
through the real services; and the completion clock while a reply is in review.

Calendar as in test_metrics.py: March 2025, working hours 09:00-12:00 and 13:30-18:00 (7.5 h a
day), no holiday; an appeal dispatched Monday 03-03 10:00 is due Monday 03-17 18:00."""

from datetime import date

import pytest
import time_machine

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, Revisit, RevisitStatus
from minxin.cases.workflow import AppealStatus, Satisfaction
from minxin.metrics.metrics import rates_for
from minxin.review.models import ReviewRule
from tests.builders import District
from tests.metrics.test_metrics import APRIL_1, MARCH, Story, at, by_key


@pytest.fixture
def story(district: District) -> Story:
    return Story(district)


def _review(story: Story, appeal: Appeal, when, *, send_back: bool) -> None:
    with time_machine.travel(when, tick=False):
        kwargs = {
            "appeal_id": appeal.pk,
            "actor": Actor.of(story.d.user("dispatcher")),
            "expected_version": Appeal.objects.get(pk=appeal.pk).version,
        }
        if send_back:
            services.reply_send_back(**kwargs, reason="请写明承办人和联系电话")
        else:
            services.reply_approve(**kwargs)


def _call(story: Story, appeal: Appeal, when, *, reached: bool, solved: bool = False) -> None:
    with time_machine.travel(when, tick=False):
        services.revisit_record(
            appeal_id=appeal.pk,
            actor=Actor.of(story.d.user("call_taker")),
            expected_version=Appeal.objects.get(pk=appeal.pk).version,
            reached=reached,
            solved=solved if reached else None,
            satisfaction=Satisfaction.SATISFIED if solved else Satisfaction.DISSATISFIED,
        )


def test_review_return_rate_and_the_clock_in_review(story: Story) -> None:
    street_a, street_b = story.d.street_units[0], story.d.street_units[1]
    ReviewRule.objects.create(name="甲街道全部审核", unit=street_a, sample_percent=100)

    # A: resolved Fri 03-14 10:00, in review until it is sent back Tue 03-18 10:00. Review
    # time: Fri 10:00-18:00 6.5 h + Mon 7.5 h + Tue 09:00-10:00 1 h = 15 h = 2 working days,
    # so the deadline moves from Mon 03-17 18:00 to Wed 03-19 18:00. Resolved again Wed 11:00
    # (after the first deadline, before the moved one): on time. Approved Wed 15:00.
    a = story.handled(at(3), street_a, resolve=at(14))
    assert Appeal.objects.get(pk=a.pk).status == AppealStatus.REVIEWING
    _review(story, a, at(18), send_back=True)
    sent_back = Appeal.objects.get(pk=a.pk)
    assert sent_back.status == AppealStatus.IN_PROGRESS and sent_back.resolved_at is None
    assert sent_back.resolve_due == at(19, 18)
    story.resolve(a, at(19, 11))
    _review(story, a, at(19, 15), send_back=False)
    # B: resolved Tue 03-04 10:00, approved 11:00.
    b = story.handled(at(3), street_a, resolve=at(4))
    _review(story, b, at(4, 11), send_back=False)
    # C: street B has no rule: released by the system at once, not a review.
    c = story.handled(at(3), street_b, resolve=at(5))
    assert Appeal.objects.get(pk=c.pk).status == AppealStatus.RESOLVED

    rows = by_key(rates_for(**MARCH, group_by="unit", now=APRIL_1, with_p90=True))
    a_row = rows[street_a.pk]
    # Reviews by a person: A sent back, A approved, B approved → 1 of 3 sent back.
    assert (a_row.counts.sent_back, a_row.counts.reviews) == (1, 3)
    assert a_row.review_return_rate == pytest.approx(1 / 3)
    assert rows[street_b.pk].review_return_rate is None  # no review, no rate
    assert (a_row.counts.resolved_on_time, a_row.counts.resolved_or_overdue) == (2, 2)
    # A's handling time: Mon 03-03 10:00 → Wed 03-19 11:00 is 6.5 h + 11 days × 7.5 h + 2 h
    # = 91 h, less the 15 h in review = 76 h; B: Mon 10:00 → Tue 10:00 = 7.5 h.
    assert a_row.counts.handled == 2
    assert a_row.avg_handling_days == pytest.approx((76 / 7.5 + 1.0) / 2)
    assert a_row.p90_handling_days == pytest.approx(1.0 + 0.9 * (76 / 7.5 - 1.0))


def test_revisit_rate_and_actual_resolution_rate(story: Story, settings) -> None:
    street_a = story.d.street_units[0]
    appeals = []
    for _ in range(3):  # D, E, F: released and rated dissatisfied on 03-10
        appeal = story.handled(at(3), street_a, resolve=at(5))
        story.rate(appeal, at(10), Satisfaction.DISSATISFIED)
        appeals.append(appeal)
    d, e, f = appeals
    _call(story, d, at(11), reached=True, solved=False)  # reached: not solved
    for day in (11, 12, 13):  # three calls not answered: unreachable
        _call(story, e, at(day), reached=False)
    _call(story, f, at(11), reached=False)
    _call(story, f, at(12), reached=True, solved=True)  # reached on the second call: solved
    # G: every released reply sampled; released 03-10 and still waiting for its call.
    settings.MINXIN = {**settings.MINXIN, "REVISIT_SAMPLE_PERCENT": 100}
    g = story.handled(at(3), street_a, resolve=at(10))

    states = dict(Revisit.objects.values_list("appeal_id", "status"))
    assert states == {
        d.pk: RevisitStatus.DONE,
        e.pk: RevisitStatus.UNREACHABLE,
        f.pk: RevisitStatus.DONE,
        g.pk: RevisitStatus.PENDING,
    }
    row = by_key(rates_for(**MARCH, group_by="unit", now=APRIL_1))[street_a.pk]
    # 回访率: revisits queued in March 4 (D, E, F, G), citizen reached 2 (D, F) → 1/2.
    assert (row.counts.revisits_reached, row.counts.revisits) == (2, 4)
    assert row.revisit_rate == pytest.approx(0.5)
    # 实际解决率: answers given in March 2 (D, F), solved 1 (F) → 1/2.
    assert (row.counts.revisit_solved, row.counts.revisit_answers) == (1, 2)
    assert row.actual_resolution_rate == pytest.approx(0.5)
    # The answers are placed by the day they were given: none in February.
    february = rates_for(start=date(2025, 2, 1), end=date(2025, 2, 28), group_by=None)
    assert february[0].actual_resolution_rate is None
