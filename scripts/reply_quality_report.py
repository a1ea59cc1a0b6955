"""The reply-quality check (minxin/triage/nlp/reply_quality.py) on the 2,816 real appeal–reply
pairs of data/tipdm2020c/board_with_replies.csv: the figures of docs/reply-quality.md.

    .venv/bin/python scripts/reply_quality_report.py [--examples N]

Prints the score's distribution, each check's pass rate, how it grades the slowest replies
(the 10 % answered last after the message) and the shortest ones (the 10 % with the fewest
characters) against the rest, the score by reply length, and the most repeated sentences (the
boilerplate the check subtracts). Pure library: no database, no Django settings."""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from minxin.triage.nlp.reply_quality import WEIGHTS, reply_quality, substance  # noqa: E402

DATA = ROOT / "data" / "tipdm2020c" / "board_with_replies.csv"


def _when(text: str) -> datetime | None:
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt)  # noqa: DTZ007 - the data's local times
        except ValueError:
            continue
    return None


def _summary(name: str, scores: list[int]) -> str:
    q = statistics.quantiles(scores, n=4)
    return (
        f"| {name} | {len(scores)} | {statistics.mean(scores):.1f} | {q[0]:.0f} | {q[1]:.0f} |"
        f" {q[2]:.0f} | {sum(s < 60 for s in scores) / len(scores):.0%} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args()
    with DATA.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["reply"].strip()]
    results = []
    for r in rows:
        quality = reply_quality(title=r["title"], content=r["content"], reply=r["reply"])
        asked, answered = _when(r["time"]), _when(r["reply_time"])
        days = (answered - asked).total_seconds() / 86400 if asked and answered else None
        results.append((r, quality, days, len(r["reply"].strip())))
    scores = [q.score for _, q, _, _ in results]
    print(f"pairs: {len(results)}\n")
    print("| set | pairs | mean | Q1 | median | Q3 | below 60 |\n|---|---|---|---|---|---|---|")
    print(_summary("all", scores))
    timed = sorted((x for x in results if x[2] is not None), key=lambda x: x[2])
    tenth = len(timed) // 10
    slow, rest_t = timed[-tenth:], timed[:-tenth]
    print(_summary(f"slowest 10 % (≥ {slow[0][2]:.0f} days)", [x[1].score for x in slow]))
    print(_summary("the other 90 % (timed)", [x[1].score for x in rest_t]))
    by_length = sorted(results, key=lambda x: x[3])
    short, rest_l = by_length[: len(by_length) // 10], by_length[len(by_length) // 10 :]
    print(_summary(f"shortest 10 % (≤ {short[-1][3]} chars)", [x[1].score for x in short]))
    print(_summary("the other 90 % (length)", [x[1].score for x in rest_l]))

    print(
        "\n| check | full | passed | passed (slowest) | passed (shortest) |\n|---|---|---|---|---|"
    )

    def share(items: list, name: str) -> str:  # type: ignore[type-arg]
        hit = sum(next(c for c in x[1].checks if c.name == name).passed for x in items)
        return f"{hit / len(items):.0%}"

    for name, full in WEIGHTS.items():
        passed = " | ".join(share(items, name) for items in (results, slow, short))
        print(f"| {name} | {full} | {passed} |")

    print("\n| reply length (chars) | pairs | mean score |\n|---|---|---|")
    for lo, hi in ((0, 30), (30, 100), (100, 200), (200, 400), (400, 800), (800, 10**6)):
        band = [x[1].score for x in results if lo <= x[3] < hi]
        if band:
            label = f"{lo}–{hi - 1}" if hi < 10**6 else f"{lo}+"
            print(f"| {label} | {len(band)} | {statistics.mean(band):.1f} |")

    lengths = [x[3] for x in results]
    n = len(scores)
    mx, my = statistics.mean(lengths), statistics.mean(scores)
    cov = sum((a - mx) * (b - my) for a, b in zip(lengths, scores, strict=True)) / n
    r = cov / (statistics.pstdev(lengths) * statistics.pstdev(scores))
    print(f"\nPearson r(score, reply length) = {r:.2f}")
    sub_share = statistics.mean(len(substance(x[0]["reply"])) / max(x[3], 1) for x in results)
    print(f"mean share of a reply left once the formulas are taken out: {sub_share:.0%}")
    personal = sum(x[1].personal_data for x in results)
    print(f"replies flagged for a third party's personal data: {personal}")

    sentences: Counter[str] = Counter()
    for r_, *_ in results:
        for s in re.split(r"[。！？!?\n]", r_["reply"]):
            s = re.sub(r"\s+", "", re.sub(r"“[^”]*”", "“X”", s))
            if s:
                sentences[s] += 1
    print("\nmost repeated sentences:")
    for s, count in sentences.most_common(12):
        print(f"  {count:4d}  {s[:60]}")

    for title, items in (("slowest", slow[-args.examples :]), ("shortest", short[: args.examples])):
        print(f"\nexamples, {title}:")
        for r_, q, days, length in items:
            when = f"{days:.0f} days" if days is not None else "?"
            text = r_["reply"].strip()[:80]
            print(f"  [{q.score}] {r_['title'][:30]} — {when}, {length} chars: {text!r}")
            for problem in q.problems[:3]:
                print(f"      - {problem}")


if __name__ == "__main__":
    main()
