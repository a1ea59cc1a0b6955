"""The library's front door: train, classify, evaluate, and the full suggestion for one appeal."""

from __future__ import annotations

import logging
import threading
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from minxin.core.privacy import PersonalSpan, find_personal_data

from .classifier import CategoryModel, Doc, Example, OutdatedModel, fit_category_model
from .dataset import (
    DEFAULT_DATA_DIR,
    DEFAULT_MODEL_PATH,
    TAXONOMY,
    load_annotated,
    load_labelled,
    load_unlabelled,
)
from .duplicates import DuplicateCandidate, DuplicateIndex
from .lexicon import default_lexicon
from .places import PlaceCandidate, RegionTree, best_region, extract_places
from .taxonomy import Taxonomy, cached_taxonomy
from .urgency import UrgencySuggestion, suggest_urgency
from .validity import ValiditySuggestion, suggest_validity

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_models: dict[Path, CategoryModel] = {}
_stamps: dict[Path, float] = {}  # the file's mtime when it was loaded


@dataclass(frozen=True)
class CategorySuggestion:
    category: str  # top-level class name, exactly as in taxonomy.csv
    confidence: float  # 0–1
    path: str  # the deepest level it is sure of, "a/b/c"
    alternatives: tuple[tuple[str, float], ...] = ()
    keywords: tuple[str, ...] = ()  # rule-file words that support it


@dataclass(frozen=True)
class Suggestion:
    category: CategorySuggestion
    urgency: UrgencySuggestion
    validity: ValiditySuggestion
    places: tuple[PlaceCandidate, ...]
    region: PlaceCandidate | None  # the best region-tree match, if any
    personal_data: dict[str, tuple[PersonalSpan, ...]]  # "title" / "content" → spans
    duplicates: tuple[DuplicateCandidate, ...] = field(default=())
    title: str = ""  # the normalised texts the spans refer to
    content: str = ""


def train(
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    extra: Sequence[Example] = (),
    out: Path | None = DEFAULT_MODEL_PATH,
    seed: int = 0,
    annotations: bool = True,
) -> CategoryModel:
    """Train on the labelled file plus `extra` (dispatchers' corrections), the annotated and
    the unlabelled messages; save to `out` (atomic) and make it the model in use."""
    labelled = load_labelled(data_dir) + list(extra)
    annotated = _annotated(data_dir, labelled) if annotations else []
    unlabelled = load_unlabelled(data_dir, exclude=labelled + annotated)
    model = fit_category_model(
        labelled,
        unlabelled,
        annotated=annotated,
        seed=seed,
        trained_on=(
            f"{len(labelled)} labelled ({len(extra)} corrections), {len(annotated)} annotated, "
            f"{len(unlabelled)} unlabelled"
        ),
    )
    if out is not None:
        model.save(out)
        with _lock:
            _models[out] = model
            _stamps[out] = _mtime(out)
    return model


def _annotated(data_dir: Path, labelled: Sequence[Example]) -> list[Example]:
    """The annotated messages of the labelled messages' classes (the annotators also named
    classes the board's labelled file never uses), none of them a labelled message's text."""
    classes = {e.label for e in labelled}
    return [e for e in load_annotated(data_dir, exclude=labelled) if e.label in classes]


def get_model(
    path: Path = DEFAULT_MODEL_PATH, *, data_dir: Path = DEFAULT_DATA_DIR
) -> CategoryModel:
    """The trained model; trained (and saved) on first use when no artifact exists yet."""
    with _lock:
        model = _models.get(path)
        if model is not None and _stamps.get(path) == _mtime(path):
            return model  # a model put in use meanwhile (a new file) is loaded below
        model = _load_current(path)
        if model is not None:
            _models[path] = model
            _stamps[path] = _mtime(path)
            return model
    return train(data_dir=data_dir, out=path)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def _load_current(path: Path) -> CategoryModel | None:
    """The saved model, or None when there is none or it was saved by an older recipe (it is
    then retrained: the artifact is derived data)."""
    if not path.exists():
        return None
    try:
        return CategoryModel.load(path)
    except OutdatedModel:
        logger.warning("%s was saved by an older recipe; retraining", path)
        return None


def forget_models() -> None:
    with _lock:
        _models.clear()
        _stamps.clear()


def classify(
    pairs: Sequence[tuple[str | None, str | None]],
    *,
    model: CategoryModel | None = None,
    taxonomy: Taxonomy | None = None,
) -> list[CategorySuggestion]:
    model = model or get_model()
    taxonomy = taxonomy or cached_taxonomy(DEFAULT_DATA_DIR / TAXONOMY)
    docs = [Doc.of(t, c) for t, c in pairs]
    proba = model.predict_docs(docs)
    lexicon = default_lexicon()
    out: list[CategorySuggestion] = []
    for doc, p in zip(docs, proba, strict=True):
        order = np.argsort(-p)
        top = model.classes[int(order[0])]
        keywords: tuple[str, ...] = ()
        if top in lexicon.classes:
            keywords = tuple(lexicon.matched(f"{doc.title} {doc.content}", top)[:5])
        out.append(
            CategorySuggestion(
                category=top,
                confidence=round(float(p[order[0]]), 4),
                path=taxonomy.deepest_path(top, doc.title, doc.content),
                alternatives=tuple(
                    (model.classes[int(i)], round(float(p[i]), 4)) for i in order[1:3]
                ),
                keywords=keywords,
            )
        )
    return out


def suggest(
    *,
    title: str,
    content: str,
    received_at: datetime | None = None,
    region_tree: RegionTree | None = None,
    duplicate_index: DuplicateIndex | None = None,
    person: str | None = None,
    model: CategoryModel | None = None,
    window_days: float = 90.0,
) -> Suggestion:
    """Everything the dispatcher decides at screening, suggested for one appeal."""
    doc = Doc.of(title, content)
    category = classify([(title, content)], model=model)[0]
    text = f"{doc.title} {doc.content}"
    places = extract_places(text, region_tree)
    region = best_region(places)
    duplicates: tuple[DuplicateCandidate, ...] = ()
    if duplicate_index is not None:
        specific = next(
            (p for p in places if p.kind in ("estate", "institution", "road", "community")), None
        )
        duplicates = tuple(
            duplicate_index.query(
                title,
                content,
                time=received_at.timestamp() if received_at else None,
                window_days=window_days,
                place=specific.key if specific else None,
                person=person,
            )
        )
    return Suggestion(
        category=category,
        urgency=suggest_urgency(text),
        validity=suggest_validity(doc.title, doc.content),
        places=tuple(places),
        region=region,
        personal_data={
            "title": tuple(find_personal_data(doc.title)),
            "content": tuple(find_personal_data(doc.content)),
        },
        duplicates=duplicates,
        title=doc.title,
        content=doc.content,
    )


@dataclass(frozen=True)
class CrossValidation:
    folds: int
    seed: int
    n: int
    macro_f1: float  # over the pooled out-of-fold predictions
    fold_macro_f1: tuple[float, ...]
    accuracy: float
    per_class: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    seconds: float
    annotated: int = 0  # annotated messages added to every fold's training


def cross_validate(
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    folds: int = 5,
    seed: int = 0,
    limit: int | None = None,
    annotations: bool = True,
) -> CrossValidation:
    """Stratified k-fold CV of the fixed recipe on the labelled file. For each fold the model
    is trained from scratch on the other folds' labels plus the annotated and unlabelled
    messages; the test fold's messages are removed from those (by text hash) and their labels
    are never seen — the IDF and every weight come from training data only."""
    from sklearn.metrics import f1_score, precision_recall_fscore_support
    from sklearn.model_selection import StratifiedKFold

    start = _time.perf_counter()
    labelled = load_labelled(data_dir)
    annotated = _annotated(data_dir, labelled) if annotations else []
    unlabelled = load_unlabelled(data_dir, exclude=labelled + annotated)
    if limit:
        unlabelled = unlabelled[:limit]
    classes = sorted({e.label for e in labelled})
    y = np.array([classes.index(e.label) for e in labelled])
    pred = np.zeros(len(y), dtype=int)
    fold_scores: list[float] = []
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(
        np.zeros(len(y)), y
    ):
        model = fit_category_model(
            [labelled[i] for i in tr], unlabelled, annotated=annotated, seed=seed
        )
        proba = model.predict_proba([(labelled[i].title, labelled[i].content) for i in te])
        pred[te] = [classes.index(model.classes[j]) for j in proba.argmax(axis=1)]
        fold_scores.append(float(f1_score(y[te], pred[te], average="macro")))
    p, r, f, s = precision_recall_fscore_support(
        y, pred, labels=range(len(classes)), zero_division=0
    )
    return CrossValidation(
        folds=folds,
        seed=seed,
        n=len(y),
        macro_f1=float(f1_score(y, pred, average="macro")),
        fold_macro_f1=tuple(fold_scores),
        accuracy=float((pred == y).mean()),
        per_class={
            c: (float(p[i]), float(r[i]), float(f[i]), int(s[i])) for i, c in enumerate(classes)
        },
        seconds=time_since(start),
        annotated=len(annotated),
    )


def time_since(start: float) -> float:
    return round(_time.perf_counter() - start, 1)
