"""Calibrating the category confidence: the share of suggestions that are right at a given
confidence, learnt from held-out suggestions (`versions.out_of_fold`) by isotonic regression.

The classifier's own confidence (the meta-model's top probability) is under-confident: below
0.5 its suggestions are still right ~70 % of the time. A calibrated confidence c means "of the
suggestions this confident, about c were right on messages the models never saw", which is
what an auto-dispatch rule's threshold needs. The map is monotone (a more confident suggestion
never gets a lower calibrated value) and piecewise linear between its points.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Bins of the reliability table in docs/triage.md.
RELIABILITY_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


@dataclass(frozen=True)
class Calibration:
    """A monotone map from the raw confidence to the share right (points x → y)."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    fitted_on: int = 0

    def __call__(self, confidence: float) -> float:
        if not self.x:
            return confidence
        return float(np.interp(confidence, self.x, self.y))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        data = {"x": list(self.x), "y": list(self.y), "fitted_on": self.fitted_on}
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Calibration | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls(tuple(data["x"]), tuple(data["y"]), int(data.get("fitted_on", 0)))


def fit_calibration(scored: Sequence[tuple[float, bool]]) -> Calibration:
    """Isotonic regression of right (1/0) on confidence (pool adjacent violators): each block
    of equal fitted value becomes a point at its mean confidence."""
    if not scored:
        return Calibration((), ())
    ordered = sorted(scored, key=lambda s: s[0])
    # Blocks: [sum of right, count, sum of confidence]
    blocks: list[list[float]] = []
    for confidence, ok in ordered:
        blocks.append([float(ok), 1.0, confidence])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            right, n, conf = blocks.pop()
            blocks[-1][0] += right
            blocks[-1][1] += n
            blocks[-1][2] += conf
    x = tuple(round(b[2] / b[1], 6) for b in blocks)
    y = tuple(round(b[0] / b[1], 6) for b in blocks)
    return Calibration(x, y, fitted_on=len(ordered))


def cross_fitted(folds: Sequence[Sequence[tuple[float, bool]]]) -> list[list[tuple[float, bool]]]:
    """Each fold's scores calibrated by a map fitted on the other folds only: a reliability
    table of these says how the calibration does on suggestions it did not learn from."""
    out = []
    for k, fold in enumerate(folds):
        other = [s for j, f in enumerate(folds) if j != k for s in f]
        mapped = fit_calibration(other)
        out.append([(mapped(c), ok) for c, ok in fold])
    return out


def reliability(
    scored: Sequence[tuple[float, bool]], edges: Sequence[float] = RELIABILITY_EDGES
) -> list[tuple[float, float, int, float, float]]:
    """(low, high, messages, accuracy, mean confidence) per confidence bin (the last bin
    includes 1.0); empty bins are left out."""
    rows = []
    for lo, hi in itertools.pairwise(edges):
        last = hi >= edges[-1]
        b = [(c, ok) for c, ok in scored if lo <= c < hi or (last and c == hi)]
        if b:
            acc = sum(ok for _, ok in b) / len(b)
            rows.append((lo, hi, len(b), acc, sum(c for c, _ in b) / len(b)))
    return rows


def expected_calibration_error(
    scored: Sequence[tuple[float, bool]], edges: Sequence[float] = RELIABILITY_EDGES
) -> float:
    """Σ over bins of (share of messages) × |accuracy − mean confidence|."""
    total = len(scored)
    return sum(n / total * abs(acc - conf) for _, _, n, acc, conf in reliability(scored, edges))
