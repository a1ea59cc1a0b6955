"""考核申诉 in the rates, by hand (docs/metrics.md, "Exemptions"). March 2025, one unit (the
first street), every appeal dispatched Monday 03-03 10:00 and due Monday 03-17 18:00; the
figures are read for 03-01..03-31 at Wednesday 03-19 10:00.

- A1..A4 resolved 03-05 (on time) and rated 03-06: A1 satisfied, A2..A4 dissatisfied. The unit
  asks (03-07) for all three: A2 approved, A3 refused, A4 still waiting.
- B1 resolved 03-10 (on time); B2 and B3 resolved 03-18 10:00 (late); B4 and B5 still open,
  overdue since 03-17 18:00. The unit asks (03-18/19) for B2 (approved), B3 (refused) and B4
  (approved); B5 nothing.

满意率: without exemptions 1 satisfied / 4 rated = 25 %. With them A2's rating leaves both
numerator and denominator: 1 / 3 = 33.3 %.
按时办结率: resolved in March: A1..A4, B1 on time, B2, B3 late = 7 (5 on time), plus B4, B5 open
and overdue = 9 → without exemptions 5 / 9 = 55.6 %. With them B2 counts as on time (6) and B4
is not counted as overdue while it stays open (8): 6 / 8 = 75 %. Refused and waiting requests
change nothing, and a recount from scratch (metrics_rebuild) gives the same figures."""

from datetime import date

import time_machine

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.cases.workflow import Satisfaction
from minxin.exemptions.workflow import ExemptionAction, ExemptionKind
from minxin.feedback.services import rating_submit
from minxin.metrics.facts import metrics_rebuild
from minxin.metrics.metrics import rates_for
from tests.exemptions.builders import at, decide, overdue_appeal, request

K = ExemptionKind
START, END = date(2025, 3, 1), date(2025, 3, 31)


def _resolve(d, appeal, when):
    with time_machine.travel(when, tick=False):
        services.reply_submit(
            appeal_id=appeal.pk,
            actor=Actor.of(d.user("handler")),
            expected_version=Appeal.objects.get(pk=appeal.pk).version,
            reason="已处理完毕",
        )


def _rate(appeal, when, satisfaction):
    with time_machine.travel(when, tick=False):
        rating_submit(
            appeal_id=appeal.pk,
            actor=Actor.citizen(),
            expected_version=Appeal.objects.get(pk=appeal.pk).version,
            satisfaction=satisfaction,
        )


def _figures(d):
    rows = {r.key: r for r in rates_for(start=START, end=END, group_by="unit", now=at(19))}
    district = rates_for(start=START, end=END, group_by=None, now=at(19))[0]
    unit = rows[d.street_units[0].pk]
    assert unit.counts == district.counts
    c = unit.counts
    return (c.satisfied, c.rated), (c.resolved_on_time, c.resolved_or_overdue)


def test_exemptions_in_the_rates_worked_by_hand(district):
    d = district
    a1, a2, a3, a4, b1, b2, b3, b4, _b5 = (overdue_appeal(d) for _ in range(9))
    for a in (a1, a2, a3, a4):
        _resolve(d, a, at(5))
    _rate(a1, at(6), Satisfaction.SATISFIED)
    for a in (a2, a3, a4):
        _rate(a, at(6), Satisfaction.DISSATISFIED)
    _resolve(d, b1, at(10))
    _resolve(d, b2, at(18))
    _resolve(d, b3, at(18))
    assert _figures(d) == ((1, 4), (5, 9))  # before any request

    with time_machine.travel(at(7), tick=False):
        x2, x3, _waiting = request(d, a2), request(d, a3), request(d, a4)
    with time_machine.travel(at(18, 11), tick=False):
        y2, y3, y4 = (request(d, b, K.OVERDUE) for b in (b2, b3, b4))
    assert _figures(d) == ((1, 4), (5, 9))  # asked, not decided: nothing changes

    with time_machine.travel(at(19, 9), tick=False):
        for x in (x2, y2, y4):
            decide(d, x)
        for x in (x3, y3):
            decide(d, x, ExemptionAction.REFUSE)
    (satisfied, rated), (on_time, due) = _figures(d)
    assert (satisfied, rated) == (1, 3) and round(100 * satisfied / rated, 1) == 33.3
    assert (on_time, due) == (6, 8) and 100 * on_time / due == 75.0

    metrics_rebuild()
    assert _figures(d) == ((1, 3), (6, 8))
