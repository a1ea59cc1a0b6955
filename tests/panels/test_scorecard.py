"""The panels' grades enter the units' scorecard as a component beside the appeal rates
(MINXIN["PANEL_WEIGHT"], 10 by default): the hand-worked example of test_panels (a unit's
totals 30, 36, 24 of 40 → 75 %) reaches the score, only in the period its evaluation closed."""

from datetime import date, timedelta

from django.test import Client
from django.urls import reverse

from minxin.metrics.scorecards import components_for, scorecard_for
from minxin.panels.services import evaluation_act, sheet_submit
from minxin.panels.workflow import EvaluationAction

from .builders import T0
from .test_panels import _open


def test_a_closed_evaluation_counts_on_the_scorecard(district, settings):
    d = district
    e, tokens = _open(d)
    a, b, c = e.items.order_by("position")
    during = T0 + timedelta(days=1)
    for token, (x, y, z) in zip(tokens, ((8, 7, 15), (10, 9, 17), (6, 6, 12)), strict=True):
        sheet_submit(
            token=token, unit_id=d.departments[0].pk, values={a.pk: x, b.pk: y, c.pk: z}, at=during
        )
    sheet_submit(
        token=tokens[0], unit_id=d.departments[1].pk, values={a.pk: 5, b.pk: 5, c.pk: 10}, at=during
    )
    sup = d.user("supervisor")
    evaluation_act(
        actor=sup, evaluation_id=e.pk, action=EvaluationAction.CLOSE, at=T0 + timedelta(days=11)
    )
    november = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}
    (panels,) = components_for(**november)
    assert (panels.name, panels.weight) == ("panels", 10.0)
    assert panels.shares == {d.departments[0].pk: 0.75, d.departments[1].pk: 0.5}
    rows = {r.unit_id: r for r in scorecard_for(**november)}
    # No appeals in the period: the panels' grade is the whole score.
    assert rows[d.departments[0].pk].score == 75.0 and rows[d.departments[0].pk].rank == 1
    assert rows[d.departments[1].pk].score == 50.0
    assert rows[d.departments[0].pk].extras == {"panels": 0.75}
    # Not in a period it did not close in; not at all when weighted 0.
    assert components_for(start=date(2026, 10, 1), end=date(2026, 10, 31))[0].shares == {}
    settings.MINXIN = {**settings.MINXIN, "PANEL_WEIGHT": 0}
    assert components_for(**november) == []
    settings.MINXIN = {**settings.MINXIN, "PANEL_WEIGHT": 10}
    client = Client()
    client.force_login(sup)
    page = client.get(reverse("metrics:scorecards"), {"start": "2026-11-01", "end": "2026-11-30"})
    assert "测评得分" in page.content.decode() and "75.0%" in page.content.decode()
