"""The confidence calibration (`nlp.calibration`) and its use by the app."""

import random
from decimal import Decimal

import pytest

from minxin.triage.nlp.calibration import (
    Calibration,
    cross_fitted,
    expected_calibration_error,
    fit_calibration,
    reliability,
)


def _under_confident(n: int, seed: int) -> list[tuple[float, bool]]:
    """Suggestions right with probability 0.5 + c / 2 at raw confidence c."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        c = rng.random()
        out.append((c, rng.random() < 0.5 + c / 2))
    return out


def test_the_map_is_monotone_and_corrects_an_under_confident_score():
    scored = _under_confident(4000, 0)
    mapped = fit_calibration(scored)
    assert list(mapped.y) == sorted(mapped.y) and list(mapped.x) == sorted(mapped.x)
    assert mapped(0.2) == pytest.approx(0.6, abs=0.06)
    assert mapped(0.9) == pytest.approx(0.95, abs=0.05)
    fresh = _under_confident(4000, 1)
    raw_error = expected_calibration_error(fresh)
    calibrated = [(mapped(c), ok) for c, ok in fresh]
    assert raw_error > 0.2 and expected_calibration_error(calibrated) < 0.05


def test_pool_adjacent_violators_by_hand():
    mapped = fit_calibration([(0.1, True), (0.2, False), (0.3, True), (0.4, True)])
    # 0.1 right, 0.2 wrong violate the order: pooled to 0.5 at their mean confidence 0.15.
    assert mapped.x == (0.15, 0.35) and mapped.y == (0.5, 1.0)
    assert mapped(0.0) == 0.5 and mapped(0.25) == pytest.approx(0.75) and mapped(1.0) == 1.0
    assert Calibration((), ())(0.42) == 0.42  # nothing fitted: the raw value


def test_cross_fitting_never_uses_a_folds_own_labels():
    folds = [[(0.9, True)] * 5, [(0.9, False)] * 5]
    # Each fold is mapped by the other one's map only: all right → 1.0, all wrong → 0.0.
    assert cross_fitted(folds) == [[(0.0, True)] * 5, [(1.0, False)] * 5]


def test_reliability_bins_include_one():
    rows = reliability([(1.0, True), (0.97, False), (0.3, True)])
    assert rows == [(0.0, 0.5, 1, 1.0, 0.3), (0.95, 1.0, 2, 0.5, 0.985)]


def test_saved_and_loaded(tmp_path):
    mapped = fit_calibration(_under_confident(200, 2))
    mapped.save(tmp_path / "c.json")
    assert Calibration.load(tmp_path / "c.json") == mapped
    assert Calibration.load(tmp_path / "missing.json") is None


@pytest.mark.django_db
def test_thresholds_and_stored_confidence_use_the_calibration(district, tmp_path, monkeypatch):
    from minxin.triage import versions
    from minxin.triage.models import AutoDispatchRule

    path = tmp_path / "calibration.json"
    assert versions.confidence_calibrated(0.4, path=path) == 0.4  # none fitted yet
    top = district.category.top_level.name
    scored = [(top, 0.4, True)] * 7 + [(top, 0.4, False)] * 3 + [(top, 0.9, True)] * 10
    calibrated = versions.confidence_calibration_fit(path=path, scored=scored)
    assert {c for _, c, _ in calibrated} == {0.7, 1.0}
    assert versions.confidence_calibrated(0.4, path=path) == 0.7
    assert versions.confidence_calibrated(0.9, path=path) == 1.0
    rule = AutoDispatchRule.objects.create(
        category=district.category, min_confidence=Decimal("0.90"), target_precision=Decimal("0.85")
    )
    monkeypatch.setattr(versions, "out_of_fold", lambda: scored)
    monkeypatch.setattr(versions, "CALIBRATION_PATH", path)
    monkeypatch.setattr(
        versions.confidence_calibration_fit, "__kwdefaults__", {"path": path, "scored": None}
    )
    assert versions.auto_dispatch_thresholds_compute() == 1
    rule.refresh_from_db()
    # On the calibrated scale: 0.7 takes all 20 at 0.85 precision.
    assert rule.suggested_threshold == 0.7 and rule.suggested_share == 1.0
