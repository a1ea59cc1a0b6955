"""The three-level category catalogue (taxonomy.csv) and the deeper path under a top class."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from .lexicon import DATA_DIR

SUBCATEGORY_PATH: Final = DATA_DIR / "subcategory_keywords.tsv"
MIN_SCORE: Final = 2  # a keyword in the title (2) or two in the content


@dataclass(frozen=True)
class Taxonomy:
    paths: tuple[tuple[str, str, str], ...]
    keywords: dict[str, tuple[str, ...]]  # "l1/l2/l3" → keywords (node name included)

    @property
    def top_level(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p[0] for p in self.paths))

    def deepest_path(self, top: str, title: str, content: str) -> str:
        """`top`, or top/level2, or top/level2/level3 — as deep as one node clearly leads."""
        scores: dict[str, int] = {}
        for path, words in self.keywords.items():
            if not path.startswith(top + "/"):
                continue
            s = sum(2 * (w in title) + (w in content) for w in words)
            if s:
                scores[path] = s
        if not scores:
            return top
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, score = ranked[0]
        if score < MIN_SCORE:
            return top
        second = ranked[1][1] if len(ranked) > 1 else 0
        level2 = "/".join(best.split("/")[:2])
        if score > second:
            return best
        # Tied leaves: still sure of level 2 when every tied leaf shares it.
        tied = [p for p, s in ranked if s == score]
        return level2 if all(p.startswith(level2 + "/") for p in tied) else top


def load_taxonomy(path: Path, keywords_path: Path = SUBCATEGORY_PATH) -> Taxonomy:
    with path.open(encoding="utf-8", newline="") as f:
        paths = tuple(
            (r["level1"].strip(), r["level2"].strip(), r["level3"].strip())
            for r in csv.DictReader(f)
        )
    known = {"/".join(p) for p in paths}
    keywords: dict[str, tuple[str, ...]] = {}
    for p in paths:
        if p[2] != "其他":
            keywords["/".join(p)] = tuple(w for w in p[2].replace("、", " ").split() if len(w) >= 2)
    for raw in keywords_path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        node, words = line.split("\t")
        if node not in known:
            raise ValueError(f"{keywords_path.name}: {node} is not in {path.name}")
        keywords[node] = tuple(dict.fromkeys(keywords.get(node, ()) + tuple(words.split())))
    return Taxonomy(paths=paths, keywords=keywords)


@cache
def cached_taxonomy(path: Path) -> Taxonomy:
    return load_taxonomy(path)
