"""Scorecards that hold up (issue 14): the composite score's formula on the page, and only
units with at least MINXIN['SCORE_MIN_APPEALS'] appeals dispatched in the period ranked (a unit
with 3 appeals was ranked #1 at 100.00); the others are listed, scored, unranked."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from minxin.metrics.scorecards import score_formula, scorecard_for
from tests.builders import District, appeal_in


def _rows(today):
    return {r.unit_id: r for r in scorecard_for(start=today - timedelta(days=6), end=today)}


def test_a_unit_below_the_minimum_is_scored_but_not_ranked(settings, district: District):
    d = district
    for _ in range(2):
        appeal_in(d, AppealStatus.RATED, assist=False)  # street 0: two appeals
    today = timezone.localdate()
    settings.MINXIN = {**settings.MINXIN, "SCORE_MIN_APPEALS": 3}
    row = _rows(today)[d.street_units[0].pk]
    assert row.score is not None and row.rank is None
    settings.MINXIN = {**settings.MINXIN, "SCORE_MIN_APPEALS": 2}
    assert _rows(today)[d.street_units[0].pk].rank == 1


def test_the_page_shows_the_formula_and_why_a_unit_is_unranked(
    client, settings, district: District
):
    d = district
    appeal_in(d, AppealStatus.RATED, assist=False)
    settings.MINXIN = {**settings.MINXIN, "SCORE_MIN_APPEALS": 5}
    client.force_login(d.user("supervisor"))
    html = client.get(reverse("metrics:scorecards")).content.decode()
    formula = score_formula()
    assert formula in html
    assert formula.startswith("综合得分 = 100 × (先行联系率×15 + 按时办结率×25")
    assert "重复率×5（取1−比率）" in formula
    assert "本期派单不少于 5 件的单位才排名" in formula
    assert "不足5件" in html
