"""The weak-label rule file (data/weak_labels.tsv): class keywords with weights, scored fast."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
WEAK_LABELS_PATH: Final = DATA_DIR / "weak_labels.tsv"


@dataclass(frozen=True)
class Lexicon:
    """Keywords per class; a keyword scores its weight once per field when `keyword in text`."""

    classes: tuple[str, ...]
    weights: dict[str, tuple[tuple[int, float], ...]]  # keyword → ((class index, weight), ...)
    by_prefix: dict[str, tuple[str, ...]]  # first two characters (or the one) → keywords

    @classmethod
    def from_entries(cls, entries: list[tuple[str, float, str]]) -> Lexicon:
        classes: list[str] = []
        direct: dict[str, dict[int, float]] = {}
        for klass, weight, keyword in entries:
            if klass not in classes:
                classes.append(klass)
            ci = classes.index(klass)
            slot = direct.setdefault(keyword, {})
            slot[ci] = slot.get(ci, 0.0) + weight
        by_prefix: dict[str, list[str]] = {}
        for kw in direct:
            by_prefix.setdefault(kw[:2], []).append(kw)
        return cls(
            classes=tuple(classes),
            weights={k: tuple(v.items()) for k, v in direct.items()},
            by_prefix={k: tuple(v) for k, v in by_prefix.items()},
        )

    def found(self, text: str) -> list[str]:
        """The keywords that occur in `text`."""
        keys = {text[i : i + 2] for i in range(len(text) - 1)} | set(text)
        hits: list[str] = []
        for key in keys:
            for kw in self.by_prefix.get(key, ()):
                if len(kw) <= 2 or kw in text:
                    hits.append(kw)
        return hits

    def field_scores(self, text: str) -> npt.NDArray[np.float64]:
        """Per-class weight sum of the distinct keywords found in `text` (normalised text)."""
        scores = np.zeros(len(self.classes))
        for kw in self.found(text):
            for ci, w in self.weights[kw]:
                scores[ci] += w
        return scores

    def scores(self, title: str, content: str) -> npt.NDArray[np.float64]:
        """14 features: (title scores, content scores) per class."""
        return np.concatenate([self.field_scores(title), self.field_scores(content)])

    def matched(self, text: str, klass: str) -> list[str]:
        """Keywords of `klass` in `text`, strongest first, for explaining a suggestion."""
        ci = self.classes.index(klass)
        hits = [(w, kw) for kw in self.found(text) for c, w in self.weights[kw] if c == ci]
        return [kw for _, kw in sorted(hits, key=lambda t: (-t[0], t[1]))]


def parse_weak_labels(text: str) -> list[tuple[str, float, str]]:
    entries: list[tuple[str, float, str]] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(
                f"weak_labels.tsv line {lineno}: expected class<TAB>weight<TAB>keywords"
            )
        klass, weight, keywords = parts
        entries.extend((klass, float(weight), kw) for kw in keywords.split())
    return entries


@cache
def default_lexicon() -> Lexicon:
    return Lexicon.from_entries(parse_weak_labels(WEAK_LABELS_PATH.read_text(encoding="utf-8")))
