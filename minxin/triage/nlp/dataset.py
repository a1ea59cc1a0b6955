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
# Labels our annotators gave messages of the unlabelled files (who, how: docs/triage.md).
ANNOTATIONS: Final = Path(__file__).resolve().parent / "data" / "annotations.tsv"


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


def load_annotated(
    data_dir: Path = DEFAULT_DATA_DIR,
    *,
    exclude: Sequence[Example] = (),
    path: Path = ANNOTATIONS,
) -> list[Example]:
    """The annotated messages (file, id → label), their texts read from the data files; those
    whose file or id is missing, or whose text is one of `exclude`, are left out."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        wanted = [r for r in csv.DictReader(f, delimiter="\t") if r["label"]]
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    for name in {r["file"] for r in wanted}:
        if (data_dir / name).exists():
            texts.update(
                ((name, r["id"]), (r["title"], r["content"])) for r in _rows(data_dir / name)
            )
    excluded = {text_key(e.title, e.content) for e in exclude}
    out = []
    for r in wanted:
        found = texts.get((r["file"], r["id"]))
        if found is not None and text_key(*found) not in excluded:
            out.append(Example(found[0], found[1], r["label"]))
    return out
