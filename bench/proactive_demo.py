"""未诉先办's hotspot and repeat proposals measured on the demo's history (issue 20): how often a
matter in a place that the dashboard would have offered as a proactive task came again in the
month after, against how often any matter in any place did.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/minxin migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/minxin seed_demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/proactive_demo.py

A matter in a place is (leaf category, the appeal's region); a merged duplicate counts for the
appeal it was merged into (as the dashboard's 集中投诉 counts it). On every 7th day whose 30
days before and 30 days after both lie in the history, the rule looks at the 30 days before:

- a **hotspot** (集中投诉) proposal: the pair had at least 3 appeals;
- a **repeat** (反复诉求) proposal: one phone raised the pair at least twice;

and a proposal is a **hit** when the pair brought at least 2 appeals in the 30 days after (the
next wave a proactive task would have met first). The **base rate** is the same share over
every pair with at least one appeal in the 30 days before. The rule was written before it was
run; nothing is tuned to the figures. One pair proposed on consecutive days counts once per
day (the windows overlap), so the counts are not independent."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

import django
import django_env  # noqa: F401 - first: the repository on the path, settings named

django.setup()

from minxin.cases.models import Appeal  # noqa: E402

DAYS = 30
STEP = 7
HOTSPOT_MIN = 3
REPEAT_MIN = 2
HIT_MIN = 2

Pair = tuple[int, int]


def history() -> list[tuple[datetime, Pair, str]]:
    """Every appeal with the pair it counts for: its own, or the one it was merged into's."""
    rows = Appeal.objects.values_list(
        "received_at",
        "category_id",
        "region_id",
        "merged_into__category_id",
        "merged_into__region_id",
        "appellant_phone",
    )
    out = []
    for at, c, r, mc, mr, phone in rows:
        pair = (mc, mr) if mc is not None else (c, r)
        if pair[0] is not None and pair[1] is not None:
            out.append((at, pair, phone))
    return sorted(out)


def run() -> dict[str, tuple[int, int]]:
    appeals = history()
    if not appeals:
        raise SystemExit("no appeals: seed the demo first (minxin seed_demo)")
    span = timedelta(days=DAYS)
    first, last = appeals[0][0], appeals[-1][0]
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    day = first + span
    while day + span <= last:
        before = [(p, phone) for at, p, phone in appeals if day - span <= at < day]
        after = Counter(p for at, p, _ in appeals if day <= at < day + span)
        counts = Counter(p for p, _ in before)
        by_phone = Counter((p, phone) for p, phone in before if phone)
        hotspot = {p for p, n in counts.items() if n >= HOTSPOT_MIN}
        repeat = {p for (p, _), n in by_phone.items() if n >= REPEAT_MIN}
        for name, pairs in (("hotspot", hotspot), ("repeat", repeat), ("base", set(counts))):
            figures[name][0] += len(pairs)
            figures[name][1] += sum(1 for p in pairs if after[p] >= HIT_MIN)
        day += timedelta(days=STEP)
    return {k: (v[0], v[1]) for k, v in figures.items()}


def main() -> None:
    figures = run()
    print("| rule | proposals | hits | hit rate |")
    print("|---|---:|---:|---:|")
    for name in ("hotspot", "repeat", "base"):
        n, hits = figures.get(name, (0, 0))
        rate = f"{hits / n:.1%}" if n else "—"
        print(f"| {name} | {n} | {hits} | {rate} |")


if __name__ == "__main__":
    main()
