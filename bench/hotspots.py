# ruff: noqa: E501
"""Hotspot benchmark (issue 19): the whole file on one core, and the app's incremental step
(a new appeal joins or starts a hotspot) with the hotspots of 1,000,000 stored appeals.

    .venv/bin/python bench/hotspots.py file [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minxin_hot_bench \\
        .venv/bin/python bench/hotspots.py app [--appeals 1000000] [--lookups 300]

`file`: `minxin triage hotspots` on data/tipdm2020c/board_with_likes.csv as a process (wall
time, Django start and jieba's dictionary included), and `find_hotspots` in process (CPU time),
BLAS threads pinned to 1 (the work is single-threaded Python anyway).

`app` (PostgreSQL, a database the script may fill; it is migrated first): the hotspot tables
are filled with what 1,000,000 appeals would leave in them. The board's 10,144 distinct
messages (the four data files) are clustered once by the library with the app's IDF; that
result is written ~99 times, each copy with its own place names (a district of a million
appeals has more estates, not the same estates a hundred times) and its times spread over the
last three years, so about a third of the copies fall in the 365-day window. Words and
districts are shared by every copy, so the lookups of appeals that name no place meet long key
lists. Memberships are not written (the lookup never reads them). Then `--lookups` new appeals
(messages of the files, received now) are placed by `appeal_hotspot_assign`, each in its own
transaction, and the median and p95 are printed.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "data" / "tipdm2020c"


def bench_file(runs: int) -> None:
    from minxin.triage.management.commands.triage import parse_time
    from minxin.triage.nlp.hotspots import HotspotInput, find_hotspots

    src = DATA / "board_with_likes.csv"
    walls = []
    child_cpu = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            subprocess.run(  # noqa: S603 — our own console script
                [
                    str(ROOT / ".venv/bin/minxin"),
                    "triage",
                    "hotspots",
                    "--input",
                    str(src),
                    "--output",
                    f"{tmp}/out.csv",
                    "--summary",
                    f"{tmp}/sum.csv",
                ],
                check=True,
                capture_output=True,
            )
            walls.append(time.perf_counter() - began)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            child_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    with src.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    items = [
        HotspotInput(
            r["id"],
            r["title"],
            r["content"],
            parse_time(r["time"]),
            int(r["likes"] or 0),
            r["user"],
        )
        for r in rows
    ]
    cpus = []
    for _ in range(runs):
        began = time.process_time()
        result = find_hotspots(items)
        cpus.append(time.process_time() - began)
    clustered = sum(1 for r in result.rows if r.cluster_id)
    print(f"{len(items)} messages, {len(result.summaries)} hotspots, {clustered} clustered")
    print(f"command (wall, process start included): {', '.join(f'{w:.1f}' for w in walls)} s")
    print(f"command (CPU user+sys of the process): {', '.join(f'{c:.1f}' for c in child_cpu)} s")
    print(f"find_hotspots (CPU, one core): {', '.join(f'{c:.1f}' for c in cpus)} s")
    print(f"load average: {os.getloadavg()[0]:.1f}")


def _messages() -> list[tuple[str, str, datetime]]:
    from minxin.triage.management.commands.triage import parse_time
    from minxin.triage.nlp.hotspots import IDF_FILES

    seen: set[str] = set()
    out = []
    for name in IDF_FILES:
        with (DATA / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                text = f"{row['title']}\n{row['content']}"
                when = parse_time(row["time"])
                if text in seen or when is None:
                    continue
                seen.add(text)
                out.append((row["title"], row["content"], when))
    return out


def _fill(appeals: int) -> None:
    from django.db import connection

    from minxin.triage.models import Hotspot as Row
    from minxin.triage.models import HotspotKey
    from minxin.triage.nlp.hotspots import HotspotIndex, hotspot_label, shipped_idf
    from minxin.triage.nlp.matter import matter_profile

    messages = _messages()
    began = time.perf_counter()
    profiles = [matter_profile(t, c) for t, c, _ in messages]
    stamps = [w.replace(tzinfo=UTC).timestamp() for _, _, w in messages]
    index = HotspotIndex(shipped_idf())
    for i in sorted(range(len(messages)), key=lambda i: (stamps[i], i)):
        index.add(i, profiles[i], stamps[i])
    keys_of: dict[int, set[str]] = {}
    for key, numbers in index._by_key.items():  # the index's own map: key → hotspot numbers
        for n in numbers:
            root = n
            while index.hotspots[root].merged_into is not None:
                root = index.hotspots[root].merged_into  # type: ignore[assignment]
            keys_of.setdefault(root, set()).add(key)
    live = index.live()
    print(
        f"clustered {len(messages)} messages into {len(live)} hotspots in {time.perf_counter() - began:.0f} s"
    )
    copies = -(-appeals // len(messages))
    lo = min(s for s in stamps)
    hi = max(s for s in stamps)
    now = datetime.now(UTC).timestamp()
    three_years = 3 * 365 * 86400.0
    rng = random.Random(19)
    next_id = (Row.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    began = time.perf_counter()
    n_rows = n_keys = 0
    with connection.cursor() as cursor:
        for k in range(copies):
            shift = now - three_years * rng.random() - (hi - lo) * 0.0  # copy k's end time
            scale = min(1.0, 365 * 86400.0 / max(hi - lo, 1.0))  # each copy spans ≤ a year
            suffix = f"#{k}" if k else ""
            with cursor.copy(
                "COPY triage_hotspot (id, label, place, matter, area, first_at, last_at, size, state) FROM STDIN"
            ) as copy:
                for h in live:
                    state = h.to_state()
                    if suffix:
                        state["places"] = {f"{p}{suffix}": c for p, c in h.places.items()}
                    first = shift - (hi - (h.first or hi)) * scale
                    last = shift - (hi - (h.last or hi)) * scale
                    label, place, matter = hotspot_label(h)
                    copy.write_row(
                        (
                            next_id + h.number,
                            label[:200],
                            place[:100],
                            matter[:100],
                            h.area,
                            datetime.fromtimestamp(first, UTC),
                            datetime.fromtimestamp(last, UTC),
                            h.size,
                            json.dumps(state, ensure_ascii=False),
                        )
                    )
                    n_rows += 1
            with cursor.copy(
                "COPY triage_hotspotkey (hotspot_id, key, last_at) FROM STDIN"
            ) as copy:
                for h in live:
                    last = datetime.fromtimestamp(shift - (hi - (h.last or hi)) * scale, UTC)
                    for key in keys_of.get(h.number, ()):
                        if suffix and key.startswith("p:"):
                            key = f"{key}{suffix}"
                        copy.write_row((next_id + h.number, key[:64], last))
                        n_keys += 1
            next_id += len(index.hotspots)
            if k % 10 == 9:
                print(
                    f"  {k + 1}/{copies} copies, {n_rows:,} hotspots, {n_keys:,} keys, {time.perf_counter() - began:.0f} s",
                    flush=True,
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('triage_hotspot', 'id'), %s)", [next_id]
        )
        cursor.execute("ANALYZE triage_hotspot")
        cursor.execute("ANALYZE triage_hotspotkey")
    print(
        f"filled: {n_rows:,} hotspots standing for {copies * len(messages):,} appeals, {n_keys:,} keys, "
        f"{time.perf_counter() - began:.0f} s; {Row.objects.filter(size__gte=2).count():,} of two or more; "
        f"{HotspotKey.objects.count():,} key rows"
    )


def bench_app(appeals: int, lookups: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from minxin.cases.models import Appeal, AppealKind, Channel
    from minxin.triage.hotspots import appeal_hotspot_assign
    from minxin.triage.models import Hotspot as Row

    assert connection.vendor == "postgresql", "the app bench runs on PostgreSQL"
    call_command("migrate", verbosity=0)
    if Row.objects.count() < appeals // 20:
        _fill(appeals)
    messages = _messages()
    rng = random.Random(7)
    picked = rng.sample(messages, lookups)
    now = datetime.now(UTC)
    ids = []
    for i, (title, content, _) in enumerate(picked):
        ids.append(
            Appeal.objects.create(
                tracking_number=f"HB{int(now.timestamp())}{i:05d}"[:20],
                query_code="000000",
                channel=Channel.WEB,
                kind=AppealKind.COMPLAINT,
                title=title[:100],
                content=content,
                received_at=now - timedelta(minutes=lookups - i),
            ).pk
        )
    appeal_hotspot_assign(appeal_id=ids.pop())  # jieba's dictionary and the IDF load once
    times, cpu = [], []
    for pk in ids:
        began, began_cpu = time.perf_counter(), time.process_time()
        appeal_hotspot_assign(appeal_id=pk)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    times.sort()
    cpu.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    cpu95 = cpu[int(0.95 * (len(cpu) - 1))]
    print(
        f"{len(ids)} appeals placed: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
    )
    print(
        f"  of which this process's CPU: median {statistics.median(cpu):.1f} ms, p95 {cpu95:.1f} ms"
    )
    print(f"load average: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    f = sub.add_parser("file")
    f.add_argument("--runs", type=int, default=3)
    a = sub.add_parser("app")
    a.add_argument("--appeals", type=int, default=1_000_000)
    a.add_argument("--lookups", type=int, default=300)
    args = parser.parse_args()
    if args.what == "file":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
        import django

        django.setup()
        bench_file(args.runs)
    else:
        bench_app(args.appeals, args.lookups)


if __name__ == "__main__":
    main()
