"""Training a model version: the recipe of `engine.train`, measured on a fixed evaluation set
that no version ever trains on, so versions can be compared and a worse one kept out.

The evaluation set is 20 % of the board's labelled messages (99 of 495), stratified by class,
drawn with seed 20200 — the recipe the first session described for its lockbox. Every version
trains on the other 396, the dispatchers' corrections, the annotated and the unlabelled
messages (none of them an evaluation message's text), and is scored on the 99.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from .classifier import CategoryModel, Example, fit_category_model, text_key
from .dataset import DEFAULT_DATA_DIR, load_annotated, load_labelled, load_unlabelled

EVAL_SEED: Final = 20200
EVAL_SHARE: Final = 0.2
EVAL_SET: Final = "labelled_sample 20 % stratified, seed 20200"


@dataclass(frozen=True)
class VersionFigures:
    macro_f1: float
    accuracy: float
    evaluated_on: int
    labelled: int  # board labels trained on (the evaluation set left out)
    corrections: int
    annotated: int
    unlabelled: int
    seconds: float
    per_class: dict[str, float]  # F1 per class


def evaluation_split(labelled: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(training part, evaluation set) of the labelled messages: the same split every time."""
    from sklearn.model_selection import StratifiedShuffleSplit

    y = [e.label for e in labelled]
    split = StratifiedShuffleSplit(n_splits=1, test_size=EVAL_SHARE, random_state=EVAL_SEED)
    train_idx, eval_idx = next(split.split(np.zeros(len(y)), y))
    return [labelled[i] for i in sorted(train_idx)], [labelled[i] for i in sorted(eval_idx)]


def score(model: CategoryModel, held: Sequence[Example]) -> tuple[float, float, dict[str, float]]:
    """(macro-F1, accuracy, F1 per class) of a model on labelled messages."""
    from sklearn.metrics import f1_score

    proba = model.predict_proba([(e.title, e.content) for e in held])
    pred = [model.classes[int(i)] for i in proba.argmax(axis=1)]
    gold = [e.label for e in held]
    labels = sorted(set(gold))
    per = f1_score(gold, pred, labels=labels, average=None, zero_division=0)
    return (
        float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)),
        float(np.mean([g == p for g, p in zip(gold, pred, strict=True)])),
        {c: round(float(f), 4) for c, f in zip(labels, per, strict=True)},
    )


Fit = Callable[..., CategoryModel]


def train_version(
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    corrections: Sequence[Example] = (),
    annotations: bool = True,
    fit: Fit = fit_category_model,
    unlabelled_limit: int | None = None,
) -> tuple[CategoryModel, VersionFigures]:
    """Train a candidate version and measure it on the evaluation set. Corrections whose text
    is an evaluation message's are left out of training (the set stays unseen)."""
    began = time.perf_counter()
    labelled = load_labelled(data_dir)
    train_part, held = evaluation_split(labelled)
    held_keys = {text_key(e.title, e.content) for e in held}
    extra = [e for e in corrections if text_key(e.title, e.content) not in held_keys]
    training = train_part + extra
    classes = {e.label for e in training}
    annotated = (
        [e for e in load_annotated(data_dir, exclude=labelled) if e.label in classes]
        if annotations
        else []
    )
    unlabelled = load_unlabelled(data_dir, exclude=labelled + annotated + extra)
    if unlabelled_limit is not None:
        unlabelled = unlabelled[:unlabelled_limit]
    model = fit(
        training,
        unlabelled,
        annotated=annotated,
        trained_on=(
            f"{len(train_part)} labelled + {len(extra)} corrections, {len(annotated)} annotated, "
            f"{len(unlabelled)} unlabelled; evaluated on {len(held)} ({EVAL_SET})"
        ),
    )
    macro, accuracy, per_class = score(model, held)
    return model, VersionFigures(
        macro_f1=round(macro, 4),
        accuracy=round(accuracy, 4),
        evaluated_on=len(held),
        labelled=len(train_part),
        corrections=len(extra),
        annotated=len(annotated),
        unlabelled=len(unlabelled),
        seconds=round(time.perf_counter() - began, 1),
        per_class=per_class,
    )


def at_least_as_good(candidate: float, current: float | None) -> bool:
    """The promotion rule: a candidate replaces the model in use only when its macro-F1 on the
    evaluation set is at least the current one's (rounded to 4 places, as stored)."""
    return current is None or round(candidate, 4) >= round(current, 4)


def precision_threshold(
    scored: Sequence[tuple[float, bool]], target: float
) -> tuple[float | None, int, float]:
    """The lowest confidence t such that the suggestions with confidence ≥ t are right at
    least `target` of the time: (t, how many it takes, their precision); (None, 0, 0.0) when
    no threshold reaches it."""
    ordered = sorted(scored, key=lambda x: -x[0])
    best: tuple[float | None, int, float] = (None, 0, 0.0)
    right = 0
    for k, (confidence, ok) in enumerate(ordered, 1):
        right += ok
        last_of_tie = k == len(ordered) or ordered[k][0] < confidence
        if last_of_tie and right / k >= target:
            best = (confidence, k, right / k)
    return best


def out_of_fold(
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    folds: int = 5,
    seed: int = 0,
    fit: Fit = fit_category_model,
    annotations: bool = True,
    unlabelled_limit: int | None = None,
) -> list[tuple[str, float, bool]]:
    """Each labelled message's suggestion by a model that never saw it (stratified k-fold, the
    shipped recipe): (suggested class, confidence, right)."""
    from sklearn.model_selection import StratifiedKFold

    labelled = load_labelled(data_dir)
    classes = {e.label for e in labelled}
    annotated = (
        [e for e in load_annotated(data_dir, exclude=labelled) if e.label in classes]
        if annotations
        else []
    )
    unlabelled = load_unlabelled(data_dir, exclude=labelled + annotated)
    if unlabelled_limit is not None:
        unlabelled = unlabelled[:unlabelled_limit]
    y = [e.label for e in labelled]
    out: list[tuple[str, float, bool]] = []
    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in split.split(np.zeros(len(y)), y):
        model = fit([labelled[i] for i in train_idx], unlabelled, annotated=annotated, seed=seed)
        proba = model.predict_proba([(labelled[i].title, labelled[i].content) for i in test_idx])
        for i, p in zip(test_idx, proba, strict=True):
            suggested = model.classes[int(p.argmax())]
            out.append((suggested, float(p.max()), suggested == y[i]))
    return out
