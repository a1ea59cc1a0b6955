# ruff: noqa: E501
"""The classifier's learning curve in production, simulated (issue 19): how much macro-F1 each
batch of dispatchers' screenings buys.

    .venv/bin/python bench/learning_curve.py [--start 99] [--every 33] [--seed 0] \\
        [--png docs/triage_learning_curve.png]

The board's 495 labelled messages are cut into 5 stratified folds (seed `--seed`). For each
fold in turn, that fold is the test set: it is only ever scored on. Of the other 396, `--start`
messages (stratified) are what the model knows at the start; the rest arrive one at a time as a
stream of appeals in a fixed shuffled order, and the dispatcher screens each: the current model
suggests a class, the dispatcher keeps or corrects it, and the message joins the training data
with its true label (a correction when the suggestion was wrong). Every `--every` screenings the
model is retrained from scratch with the shipped recipe (annotated and unlabelled messages
included, none of them a test message's text) and scored on the test fold. The curve is the
mean macro-F1 over the 5 test folds against the number of screenings (and corrections).
Prints a table; with `--png`, draws the curve (an SVG rendered to PNG by the e2e tests'
Chromium).
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _fit_and_score(train, unlabelled, annotated, test_pairs, y_test, seed):  # type: ignore[no-untyped-def]
    from sklearn.metrics import f1_score

    from minxin.triage.nlp.classifier import fit_category_model

    model = fit_category_model(train, unlabelled, annotated=annotated, seed=seed)
    proba = model.predict_proba(test_pairs)
    pred = [model.classes[int(j)] for j in proba.argmax(axis=1)]
    OUT_OF_FOLD[:] = [
        (float(p.max()), pred_k == gold)
        for p, pred_k, gold in zip(proba, pred, y_test, strict=True)
    ]
    return model, float(f1_score(y_test, pred, average="macro"))


OUT_OF_FOLD: list[tuple[float, bool]] = []  # the last fit's (confidence, correct) on its test fold


def run(start: int, every: int, seed: int) -> list[dict[str, float]]:
    from sklearn.model_selection import StratifiedKFold, train_test_split

    from minxin.triage.nlp.dataset import load_annotated, load_labelled, load_unlabelled

    labelled = load_labelled()
    annotated_all = load_annotated(exclude=labelled)
    unlabelled = load_unlabelled(exclude=labelled + annotated_all)
    y = np.array([e.label for e in labelled])
    curves: list[list[tuple[int, int, float]]] = []
    final: list[list[tuple[float, bool]]] = []  # per fold, the fully trained model's test fold
    for fold, (rest, test) in enumerate(
        StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    ):
        known_idx, stream_idx = train_test_split(
            rest, train_size=start, stratify=y[rest], random_state=seed + fold
        )
        stream = list(stream_idx)
        random.Random(seed * 100 + fold).shuffle(stream)
        known = [labelled[i] for i in known_idx]
        classes = {e.label for e in labelled}
        annotated = [e for e in annotated_all if e.label in classes]
        test_pairs = [(labelled[i].title, labelled[i].content) for i in test]

        model, score = _fit_and_score(known, unlabelled, annotated, test_pairs, y[test], seed)
        points = [(0, 0, score)]
        corrections = 0
        for k, i in enumerate(stream, 1):
            message = labelled[i]
            proba = model.predict_proba([(message.title, message.content)])[0]
            suggested = model.classes[int(proba.argmax())]
            corrections += suggested != message.label
            known.append(message)
            if k % every == 0 or k == len(stream):
                model, score = _fit_and_score(
                    known, unlabelled, annotated, test_pairs, y[test], seed
                )
                points.append((k, corrections, score))
                print(
                    f"fold {fold}: {k:>3} screenings, {corrections:>3} corrections, macro-F1 {score:.4f}",
                    flush=True,
                )
        curves.append(points)
        final.append(list(OUT_OF_FOLD))
    CALIBRATION[:] = final
    table = []
    for step in range(len(curves[0])):
        table.append(
            {
                "screenings": float(np.mean([c[step][0] for c in curves])),
                "corrections": float(np.mean([c[step][1] for c in curves])),
                "macro_f1": float(np.mean([c[step][2] for c in curves])),
                "min": float(min(c[step][2] for c in curves)),
                "max": float(max(c[step][2] for c in curves)),
            }
        )
    return table


CALIBRATION: list[list[tuple[float, bool]]] = []


def calibration_report(folds: list[list[tuple[float, bool]]], target: float = 0.95) -> str:
    """Reliability of the confidence (pooled over the 5 test folds of the fully trained
    models, i.e. 5-fold cross-validation on the 495) and, per fold, the lowest threshold whose
    decisions on the *other* folds reach the target precision, applied to the fold itself."""
    pooled = [x for f in folds for x in f]
    lines = ["confidence   n   accuracy  mean confidence"]
    edges = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01]
    for lo, hi in itertools.pairwise(edges):
        b = [(c, ok) for c, ok in pooled if lo <= c < hi]
        if b:
            acc = sum(ok for _, ok in b) / len(b)
            conf = sum(c for c, _ in b) / len(b)
            lines.append(f"{lo:.2f}–{min(hi, 1):.2f} {len(b):>4} {acc:>9.3f} {conf:>15.3f}")
    lines.append(f"threshold for precision ≥ {target:.0%}, chosen on 4 folds, applied to the 5th:")
    for k, fold in enumerate(folds):
        others = [x for j, f in enumerate(folds) if j != k for x in f]
        threshold = None
        for t in sorted({round(c, 3) for c, _ in others}):
            taken = [ok for c, ok in others if c >= t]
            if taken and sum(taken) / len(taken) >= target:
                threshold = t
                break
        if threshold is None:
            lines.append(f"  fold {k}: no threshold reaches it")
            continue
        taken = [ok for c, ok in fold if c >= threshold]
        prec = sum(taken) / len(taken) if taken else float("nan")
        lines.append(
            f"  fold {k}: threshold {threshold:.3f} → takes {len(taken)}/{len(fold)} "
            f"({len(taken) / len(fold):.0%}), precision {prec:.3f}"
        )
    return "\n".join(lines)


def svg(table: list[dict[str, float]], start: int) -> str:
    w, h, left, bottom, top, right = 720, 420, 70, 60, 30, 30
    xs = [r["screenings"] for r in table]
    lo = math.floor((min(r["min"] for r in table) - 0.01) * 50) / 50  # grid every 0.02
    hi = math.ceil((max(r["max"] for r in table) + 0.01) * 50) / 50
    ticks = [round(lo + 0.02 * k, 2) for k in range(round((hi - lo) / 0.02) + 1)]

    def px(x: float) -> float:
        return left + (w - left - right) * x / max(xs)

    def py(v: float) -> float:
        return h - bottom - (h - top - bottom) * (v - lo) / (hi - lo)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="13">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>',
    ]
    for v in ticks:
        out.append(f'<text x="{left - 8}" y="{py(v) + 4}" text-anchor="end">{v:.2f}</text>')
        out.append(f'<line x1="{left}" y1="{py(v)}" x2="{w - right}" y2="{py(v)}" stroke="#ddd"/>')
    for r in table:
        x = px(r["screenings"])
        out.append(
            f'<text x="{x}" y="{h - bottom + 18}" text-anchor="middle">{r["screenings"]:.0f}</text>'
        )
        out.append(
            f'<line x1="{x}" y1="{py(r["min"])}" x2="{x}" y2="{py(r["max"])}" stroke="#9bb"/>'
        )
    path = " ".join(f"{px(r['screenings']):.1f},{py(r['macro_f1']):.1f}" for r in table)
    out.append(f'<polyline points="{path}" fill="none" stroke="#06c" stroke-width="2"/>')
    for r in table:
        out.append(
            f'<circle cx="{px(r["screenings"])}" cy="{py(r["macro_f1"])}" r="3.5" fill="#06c"/>'
        )
    fixes = ", ".join(f"{r['corrections']:.0f}" for r in table)
    out.append(
        f'<text x="{(w + left) / 2}" y="{h - 18}" text-anchor="middle">screenings after the first {start} labelled messages (mean corrections: '
        f"{fixes})</text>"
    )
    out.append(
        f'<text x="18" y="{(h) / 2}" transform="rotate(-90 18 {h / 2})" text-anchor="middle">macro-F1 on the test fold (mean of 5; bars: min–max)</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def render_png(svg_text: str, png: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 720, "height": 420})
        page.set_content(f"<html><body style='margin:0'>{svg_text}</body></html>")
        page.screenshot(path=str(png), clip={"x": 0, "y": 0, "width": 720, "height": 420})
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--start", type=int, default=99)
    parser.add_argument("--every", type=int, default=33)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--png", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--from-json", type=Path, help="redraw from a --json file, no training")
    args = parser.parse_args()
    began = time.perf_counter()
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        table = saved["curve"]
        CALIBRATION[:] = [[(c, bool(ok)) for c, ok in f] for f in saved["calibration"]]
    else:
        table = run(args.start, args.every, args.seed)
    print(f"\n{'screenings':>10} {'corrections':>12} {'macro-F1':>9} {'min':>7} {'max':>7}")
    for r in table:
        print(
            f"{r['screenings']:>10.0f} {r['corrections']:>12.1f} {r['macro_f1']:>9.4f} {r['min']:>7.4f} {r['max']:>7.4f}"
        )
    print(f"({time.perf_counter() - began:.0f} s)")
    print()
    print(calibration_report(CALIBRATION))
    if args.json:
        args.json.write_text(json.dumps({"curve": table, "calibration": CALIBRATION}, indent=1))
    if args.png:
        render_png(svg(table, args.start), args.png)
        print(f"→ {args.png}")


if __name__ == "__main__":
    main()
