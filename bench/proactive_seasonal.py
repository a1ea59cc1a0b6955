"""未诉先办's seasonal rule measured on real history (issue 20): how often a matter in a place
that rose at this time last year rises again, against how often any matter in any place rises.

    .venv/bin/python bench/proactive_seasonal.py

The history is the public board of data/tipdm2020c (the four files, 10,414 distinct messages,
2010-2020). Each message is keyed by (matter, place): the matter is the top-level class the
triage model (var/triage/category_model.npz, trained at setup) gives it — the model learned
from these messages' texts without labels, and is used here only to group them, not judged;
the place is the district the message names first (A1区 … A9区), or 未指明. The rule
(minxin/proactive/seasonal.py, committed before this was run) is run for every month of 2018
and 2019 on the history before it; the printed figures are the proposals, the share that rose
again (hit rate), and the share of all (matter, place, month) cells with history that rose
(base rate). Every figure comes from the board's own dates; nothing is tuned to them."""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minxin.proactive.seasonal import LIFT, MIN_COUNT, backtest
from minxin.triage.nlp.classifier import CategoryModel, Doc
from minxin.triage.nlp.dataset import (
    DEFAULT_DATA_DIR,
    DEFAULT_MODEL_PATH,
    LABELLED,
    UNLABELLED,
)

DISTRICT = re.compile(r"A\d区")
WHEN = re.compile(r"(\d{4})[/-](\d{1,2})")


def messages() -> dict[str, dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for name in (LABELLED, *UNLABELLED):
        with (DEFAULT_DATA_DIR / name).open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                seen.setdefault(row["id"], row)
    return seen


def main() -> None:
    started = time.perf_counter()
    rows = [r for r in messages().values() if WHEN.match(r["time"])]
    model = CategoryModel.load(DEFAULT_MODEL_PATH)
    probs = model.predict_docs([Doc.of(r["title"], r["content"]) for r in rows])
    counts: dict[tuple[str, str], dict[tuple[int, int], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for row, p in zip(rows, probs, strict=True):
        matter = model.classes[int(p.argmax())]
        found = DISTRICT.search(row["title"] + row["content"])
        place = found.group(0) if found else "未指明"
        when = WHEN.match(row["time"])
        assert when is not None
        counts[(matter, place)][(int(when.group(1)), int(when.group(2)))] += 1
    targets = [(year, month) for year in (2018, 2019) for month in range(1, 13)]
    result = backtest(counts, targets)
    print(f"messages: {len(rows)} · (matter, place) pairs: {len(counts)}")
    print(f"rule: a year ago ≥ {MIN_COUNT} and ≥ {LIFT}× the pair's monthly mean")
    print(f"target months: {result.months} (2018-01 … 2019-12)")
    print(f"proposals: {result.proposals} · hits: {result.hits} · hit rate {result.hit_rate:.1%}")
    print(
        f"base: {result.pairs_seen} cells with history · rose: {result.rises} "
        f"· base rate {result.base_rate:.1%}"
    )
    lift = result.hit_rate / result.base_rate if result.base_rate else 0.0
    print(f"the rule's hit rate is {lift:.1f}× the base rate")
    for year in (2018, 2019):
        part = backtest(counts, [(year, m) for m in range(1, 13)])
        print(
            f"  {year}: proposals {part.proposals}, hits {part.hits} ({part.hit_rate:.1%}), "
            f"base rate {part.base_rate:.1%}"
        )
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
