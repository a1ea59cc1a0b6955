"""The TipDM 2020 problem C files: labelled, unlabelled and their de-duplication."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from .classifier import Example, text_key

REPO_ROOT: Final = Path(__file__).resolve().parents[3]
# The project's own copy of the data; MINXIN_TRIAGE_DATA points elsewhere (e.g. ../shared/...).
DEFAULT_DATA_DIR: Final = Path(
    os.environ.get("MINXIN_TRIAGE_DATA", REPO_ROOT / "data" / "tipdm2020c")
)
DEFAULT_MODEL_PATH: Final = (
    Path(os.environ.get("MINXIN_VAR_DIR", REPO_ROOT / "var")) / "triage" / "category_model.npz"
)
LABELLED: Final = "labelled_sample.csv"
UNLABELLED: Final = ("unlabelled.csv", "board_with_likes.csv", "board_with_replies.csv")
TAXONOMY: Final = "taxonomy.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_labelled(data_dir: Path = DEFAULT_DATA_DIR) -> list[Example]:
    return [
        Example(r["title"], r["content"], r["label"].strip()) for r in _rows(data_dir / LABELLED)
    ]


def load_unlabelled(
    data_dir: Path = DEFAULT_DATA_DIR, *, exclude: Sequence[Example] = ()
) -> list[tuple[str, str]]:
    """Messages of the three unlabelled files, each once (by id and by text), leaving out any
    whose text is one of `exclude` (the labelled messages: no test message may reach training
    as unlabelled text)."""
    seen_keys = {text_key(e.title, e.content) for e in exclude}
    seen_ids: set[str] = set()
    out: list[tuple[str, str]] = []
    for name in UNLABELLED:
        path = data_dir / name
        if not path.exists():
            continue
        for r in _rows(path):
            key = text_key(r["title"], r["content"])
            if r["id"] in seen_ids or key in seen_keys:
                continue
            seen_ids.add(r["id"])
            seen_keys.add(key)
            out.append((r["title"], r["content"]))
    return out
