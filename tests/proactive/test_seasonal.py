"""The seasonal rule: proposed when the pair rose in this month a year ago; a hit when it rises
again; the backtest counts hits against the base rate of rises."""

from minxin.proactive.seasonal import backtest, is_rise, month_shift, seasonal_proposals


def test_months_shift_across_years():
    assert month_shift((2019, 1), -1) == (2018, 12)
    assert month_shift((2019, 7), -12) == (2018, 7)
    assert month_shift((2018, 12), 1) == (2019, 1)


def test_a_pair_that_rose_in_july_last_year_is_proposed_for_july():
    quiet = {(2018, m): 1 for m in range(1, 13)}
    summer = {**quiet, (2018, 7): 6}
    counts = {("环境保护", "A3区"): summer, ("教育文体", "A3区"): quiet}
    (proposal,) = seasonal_proposals(counts, (2019, 7))
    assert proposal.pair == ("环境保护", "A3区") and proposal.last_year == 6
    assert seasonal_proposals(counts, (2019, 8)) == []


def test_a_rise_needs_enough_appeals_above_the_pairs_level():
    steady = {(2018, m): 4 for m in range(1, 13)} | {(2019, 1): 4}
    assert not is_rise(steady, (2019, 1))  # 4 is its usual level
    assert is_rise(steady | {(2019, 1): 7}, (2019, 1))
    assert not is_rise({(2019, 1): 2}, (2019, 1))  # too few to call a rise


def test_the_backtest_counts_hits_and_the_base_rate():
    quiet = {(y, m): 1 for y in (2017, 2018) for m in range(1, 13)}
    every_july = quiet | {(2017, 7): 6, (2018, 7): 6}
    once = quiet | {(2017, 7): 6}
    counts = {"a": every_july, "b": once, "c": quiet}
    result = backtest(counts, [(2018, 7)])
    assert (result.proposals, result.hits) == (2, 1)  # a and b proposed; only a rose
    assert (result.pairs_seen, result.rises) == (3, 1)
    assert result.hit_rate == 0.5 and round(result.base_rate, 3) == 0.333
