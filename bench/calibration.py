# ruff: noqa: E501
"""Calibration of the category confidence (issue 19), measured on held-out folds.

    .venv/bin/python bench/calibration.py [--seed 0] [--target 0.95]

The 495 labelled messages in 5 stratified folds (seed 0, `nlp.versions.out_of_fold`: each
fold suggested by a model trained with the shipped recipe on the other four, the annotated
and unlabelled messages). Then, fold by fold, the isotonic calibration (`nlp.calibration`) is
fitted on the other four folds' suggestions and applied to this fold's (cross-fitting: no fold
is calibrated with its own labels). Printed: the reliability table of the raw and of the
calibrated confidence with their expected calibration error, and, per fold, the lowest
calibrated threshold meeting the target precision on the other four folds, applied to the fold.
Nothing is written to var/ (the app's calibration is fitted by `minxin triage thresholds`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from minxin.triage.nlp.calibration import (
        cross_fitted,
        expected_calibration_error,
        fit_calibration,
        reliability,
    )
    from minxin.triage.nlp.dataset import load_labelled
    from minxin.triage.nlp.versions import out_of_fold, precision_threshold

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args()

    began = time.perf_counter()
    scored = out_of_fold(seed=args.seed)
    y = [e.label for e in load_labelled()]
    split = StratifiedKFold(5, shuffle=True, random_state=args.seed)
    sizes = [len(test) for _, test in split.split(np.zeros(len(y)), y)]
    folds, at = [], 0
    for n in sizes:
        folds.append([(c, ok) for _, c, ok in scored[at : at + n]])
        at += n
    print(f"{len(scored)} held-out suggestions in {time.perf_counter() - began:.0f} s")
    calibrated = cross_fitted(folds)
    for name, groups in (("raw", folds), ("calibrated (cross-fitted)", calibrated)):
        pooled = [s for f in groups for s in f]
        print(f"\n{name}: expected calibration error {expected_calibration_error(pooled):.3f}")
        print("| confidence | messages | accuracy | mean confidence |")
        print("|---|---:|---:|---:|")
        for lo, hi, n, acc, conf in reliability(pooled):
            print(f"| {lo:.2f}–{hi:.2f} | {n} | {acc:.3f} | {conf:.3f} |")
    print(
        f"\nthreshold for precision ≥ {args.target:.0%} on the calibrated confidence, chosen on 4 folds, applied to the 5th:"
    )
    for k, fold in enumerate(folds):
        others = [s for j, f in enumerate(folds) if j != k for s in f]
        mapped = fit_calibration(others)
        threshold, _, _ = precision_threshold([(mapped(c), ok) for c, ok in others], args.target)
        if threshold is None:
            print(f"  fold {k}: no threshold reaches it")
            continue
        taken = [ok for c, ok in fold if mapped(c) >= threshold]
        precision = sum(taken) / len(taken) if taken else float("nan")
        print(
            f"  fold {k}: threshold {threshold:.3f} takes {len(taken)}/{len(fold)} ({len(taken) / len(fold):.0%}), precision {precision:.3f}"
        )


if __name__ == "__main__":
    main()
