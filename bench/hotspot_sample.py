"""The 50-message hand check of the hotspots (docs/triage.md, "the evaluation rule"): draws the
sample by the committed rule and prints what the labeller reads. It assigns no verdict.

    .venv/bin/minxin triage hotspots --input data/tipdm2020c/board_with_likes.csv \\
        --output OUT.csv --summary SUM.csv
    .venv/bin/python bench/hotspot_sample.py OUT.csv SUM.csv [--seed 19] [--n 50]
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "tipdm2020c" / "board_with_likes.csv"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", type=Path)
    parser.add_argument("summary", type=Path)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    messages = {r["id"]: r for r in read(args.data)}
    rows = [r for r in read(args.output) if r["cluster_id"]]
    rows.sort(key=lambda r: int(r["id"]))
    labels = {s["cluster_id"]: s for s in read(args.summary)}
    members: dict[str, list[str]] = {}
    for r in rows:
        members.setdefault(r["cluster_id"], []).append(r["id"])
    clustered = len(rows)
    print(f"clustered {clustered} of {len(messages)} ({clustered / len(messages):.1%})")
    for k, r in enumerate(random.Random(args.seed).sample(rows, args.n), 1):
        m = messages[r["id"]]
        s = labels[r["cluster_id"]]
        content = " ".join(m["content"].split())[:200]
        head = f"{r['id']} → {r['cluster_id']} 「{s['label']}」 ({s['messages']} messages)"
        print(f"\n## {k}. {head}")
        print(f"标题：{m['title']}")
        print(f"内容：{content}")
        others = [i for i in members[r["cluster_id"]] if i != r["id"]][:5]
        for i in others:
            print(f"   - {i} {messages[i]['title']}")


if __name__ == "__main__":
    main()
