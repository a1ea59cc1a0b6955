"""退单驳回率 and the return rate with transfers and refused returns (docs/metrics.md), worked by
hand on a small history built through the real services.

Calendar as in test_metrics.py: March 2025, working hours 09:00-12:00 and 13:30-18:00, no
holiday. Street A's handler is "handler", street B's "handler_other".

    P  dispatched to A Mon 03-03 10:00, returned by A 11:00, the return refused Tue 03-04 10:00
       (back to A: a second lead assignment of A, dated 03-04), then accepted.
    Q  dispatched to A Wed 03-05 10:00, returned by A 11:00, re-dispatched to B Thu 03-06 10:00
       (the return was justified: the dispatcher sent it on).
    R  dispatched to A Thu 03-06 10:00, accepted, A asks for a transfer, approved to B Fri 03-07
       10:00 (no return: a transfer is no 退单).
    S  dispatched to B Mon 03-10 10:00, returned by B 11:00, refused Tue 03-11 10:00, returned
       by B again 11:00 and re-dispatched to A Wed 03-12 10:00.

Lead assignments (dispatches) of March, by unit, with returned / refused:
    A: P 03-03 (returned, refused), P 03-04 (—), Q 03-05 (returned, not refused), R 03-06 (—),
       S 03-12 (—)                                              → 5 dispatches, 2 returns, 1 refused
    B: Q 03-06 (—), R 03-07 (—), S 03-10 (returned, refused), S 03-11 (returned, not refused)
                                                                → 4 dispatches, 2 returns, 1 refused
    退单率: A 2/5 = 40 %, B 2/4 = 50 %;  退单驳回率: A 1/2 = 50 %, B 1/2 = 50 %;
    district: 9 dispatches, 4 returns, 2 refused → 退单驳回率 2/4 = 50 %.
"""

from datetime import date

import pytest
import time_machine

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.metrics.facts import metrics_rebuild
from minxin.metrics.metrics import rates_for
from minxin.metrics.scorecards import scorecard_for
from tests.builders import District
from tests.metrics.test_metrics import APRIL_1, MARCH, Story, at, by_key


@pytest.fixture
def story(district: District) -> Story:
    return Story(district)


def _return(story: Story, appeal: Appeal, when) -> None:
    with time_machine.travel(when, tick=False):
        services.assignment_return(
            appeal_id=appeal.pk,
            actor=story._handler(appeal),
            expected_version=story._v(appeal),
            reason="不属于本单位职责",
        )


def _refuse(story: Story, appeal: Appeal, when) -> None:
    with time_machine.travel(when, tick=False):
        services.return_refuse(
            appeal_id=appeal.pk,
            actor=Actor.of(story.d.user("dispatcher")),
            expected_version=story._v(appeal),
            reason="属本单位辖区，退单理由不成立",
        )


def _transfer(story: Story, appeal: Appeal, when, to) -> None:
    with time_machine.travel(when, tick=False):
        services.transfer_request(
            appeal_id=appeal.pk,
            actor=story._handler(appeal),
            expected_version=story._v(appeal),
            reason="涉及燃气管道，请转交专业单位",
        )
    with time_machine.travel(when.replace(hour=when.hour + 1), tick=False):
        services.transfer_decide(
            appeal_id=appeal.pk,
            actor=Actor.of(story.d.user("dispatcher")),
            expected_version=story._v(appeal),
            approve=True,
            lead_unit_id=to.pk,
        )


def test_refused_returns_count_against_the_returning_unit(story: Story) -> None:
    a, b = story.d.street_units[0], story.d.street_units[1]
    p = story.new(at(3))
    story.dispatch(p, at(3), a)
    _return(story, p, at(3, 11))
    _refuse(story, p, at(4))
    story.accept(p, at(4, 11))

    q = story.new(at(5))
    story.dispatch(q, at(5), a)
    _return(story, q, at(5, 11))
    story.dispatch(q, at(6), b)

    r = story.new(at(6))
    story.dispatch(r, at(6), a)
    story.accept(r, at(6, 11))
    _transfer(story, r, at(7, 9), b)  # asked 09:00, approved 10:00

    s = story.new(at(10))
    story.dispatch(s, at(10), b)
    _return(story, s, at(10, 11))
    _refuse(story, s, at(11))
    _return(story, s, at(11, 11))
    story.dispatch(s, at(12), a)

    rows = by_key(rates_for(**MARCH, group_by="unit", now=APRIL_1))
    ra, rb = rows[a.pk], rows[b.pk]
    assert (ra.counts.dispatches, ra.counts.returns, ra.counts.returns_refused) == (5, 2, 1)
    assert (rb.counts.dispatches, rb.counts.returns, rb.counts.returns_refused) == (4, 2, 1)
    assert ra.return_rate == pytest.approx(2 / 5) and rb.return_rate == pytest.approx(2 / 4)
    assert ra.refused_return_rate == pytest.approx(1 / 2)
    assert rb.refused_return_rate == pytest.approx(1 / 2)
    [district] = rates_for(**MARCH, group_by=None, now=APRIL_1)
    assert (district.counts.returns_refused, district.counts.returns) == (2, 4)

    # The cells the services kept equal a recount from scratch.
    metrics_rebuild()
    again = by_key(rates_for(**MARCH, group_by="unit", now=APRIL_1))
    assert again[a.pk].counts == ra.counts and again[b.pk].counts == rb.counts

    # The scorecards show it beside the other rates (退单驳回率, less is better).
    card = {row.unit_id: row for row in scorecard_for(**MARCH)}
    assert card[a.pk].rates.refused_return_rate == pytest.approx(0.5)
    # A period without returns has no such rate.
    february = rates_for(start=date(2025, 2, 1), end=date(2025, 2, 28), group_by=None)
    assert february[0].refused_return_rate is None
