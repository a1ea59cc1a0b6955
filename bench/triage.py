# ruff: noqa: E501
"""Triage benchmark: classification throughput, full-suggestion latency, duplicate lookup among
1,000,000 stored appeals, model memory. Run: .venv/bin/python bench/triage.py [--n 1000000]

One core: BLAS/OpenMP threads are pinned to 1 before numpy is imported.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minxin.triage.nlp import DuplicateIndex, RegionNode, RegionTree, suggest  # noqa: E402
from minxin.triage.nlp.classifier import CategoryModel, Doc  # noqa: E402
from minxin.triage.nlp.dataset import DEFAULT_MODEL_PATH, load_labelled, load_unlabelled  # noqa: E402
from minxin.triage.nlp.duplicates import signature  # noqa: E402
from minxin.triage.nlp.engine import get_model  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def p95(samples: list[float]) -> float:
    return float(np.percentile(np.array(samples) * 1000, 95))


def demo_tree() -> RegionTree:
    from minxin.demo.district import SUBDISTRICTS

    nodes = [RegionNode("A", "A市", "city"), RegionNode("A3", "A3区", "district", "A")]
    for i, (_, name, _, communities) in enumerate(SUBDISTRICTS):
        nodes.append(RegionNode(f"A3-{i:02d}", name, "subdistrict", "A3"))
        nodes.extend(
            RegionNode(f"A3-{i:02d}-{j:02d}", c, "community", f"A3-{i:02d}")
            for j, c in enumerate(communities)
        )
    return RegionTree(nodes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--n", type=int, default=1_000_000, help="stored appeals in the duplicate index"
    )
    args = ap.parse_args()
    rng = random.Random(1)

    labelled = load_labelled()
    texts = [(e.title, e.content) for e in labelled] + load_unlabelled(exclude=labelled)
    if not DEFAULT_MODEL_PATH.exists():
        t = time.perf_counter()
        get_model()
        print(f"training (no artifact yet): {time.perf_counter() - t:.1f} s")

    # --- model memory ---------------------------------------------------------------------
    before = rss_mb()
    tracemalloc.start()
    model = CategoryModel.load(DEFAULT_MODEL_PATH)
    model.predict_proba(texts[:50])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"model memory: {peak / 2**20:.0f} MB traced peak (load + predict), RSS +{rss_mb() - before:.0f} MB"
    )

    # --- classification throughput ---------------------------------------------------------
    sample = [texts[rng.randrange(len(texts))] for _ in range(3000)]
    t = time.perf_counter()
    for start in range(0, len(sample), 500):
        model.predict_docs([Doc.of(a, b) for a, b in sample[start : start + 500]])
    dt = time.perf_counter() - t
    print(
        f"classification: {len(sample) / dt:,.0f} appeals/s on one core (batches of 500, incl. normalisation)"
    )
    t = time.perf_counter()
    singles = [time.perf_counter()]
    for a, b in sample[:500]:
        model.predict_docs([Doc.of(a, b)])
        singles.append(time.perf_counter())
    one = np.diff(singles)
    print(
        f"classification one at a time: {500 / (time.perf_counter() - t):,.0f} appeals/s, p95 {p95(list(one)):.2f} ms"
    )

    # --- duplicate index of N appeals -----------------------------------------------------
    base_sigs = np.array([signature(a, b) for a, b in texts])
    t0 = time.perf_counter()
    index = DuplicateIndex()
    chunk = 100_000
    day = 86400.0
    start_time = datetime(2017, 1, 1, tzinfo=UTC).timestamp()
    places = [f"小区{i}" for i in range(5000)]
    np_rng = np.random.default_rng(2)
    for lo in range(0, args.n, chunk):
        m = min(chunk, args.n - lo)
        src = np_rng.integers(0, len(base_sigs), m)
        sigs = base_sigs[src].copy()
        # variations: each stored appeal rewrites a random share of the text (0–60 % of the
        # signature positions change), so copies, near-copies and unrelated texts all occur
        changed = np_rng.random((m, sigs.shape[1])) < np_rng.uniform(0, 0.6, (m, 1))
        sigs[changed] = np_rng.integers(0, 2**32, changed.sum(), dtype=np.uint64).astype(np.uint32)
        times = start_time + np_rng.uniform(0, 3 * 365 * day, m)
        place = [places[i] if i % 3 else None for i in np_rng.integers(0, len(places), m)]
        index.keys = np.concatenate([index.keys, np.arange(lo, lo + m)])
        index.sigs = np.vstack([index.sigs, sigs])
        index.times = np.concatenate([index.times, times])
        index.places = np.concatenate(
            [index.places, np.array([index._place_id(p) for p in place], dtype=np.int32)]
        )
        index.persons = np.concatenate([index.persons, np.full(m, -1, dtype=np.int64)])
    index._rebuild_bands()
    build = time.perf_counter() - t0
    mem = (
        index.sigs.nbytes
        + index.keys.nbytes
        + index.times.nbytes
        + index.places.nbytes
        + index.persons.nbytes
        + index._bands.nbytes
        + index._rows.nbytes
    ) / 2**20
    t = time.perf_counter()
    n_sig = 20000
    for a, b in texts[: n_sig // 10]:
        signature(a, b)
    per_sig = (time.perf_counter() - t) / (n_sig // 10)
    print(
        f"duplicate index: {len(index):,} appeals built in {build:.1f} s from precomputed signatures "
        f"(+ {per_sig * 1e6:.0f} µs per text to sign: {per_sig * args.n:.0f} s for {args.n:,}); arrays {mem:.0f} MB"
    )
    lat = []
    hits = 0
    for _ in range(1000):
        a, b = texts[rng.randrange(len(texts))]
        t = time.perf_counter()
        got = index.query(
            a, b, time=start_time + rng.uniform(0, 3 * 365 * day), window_days=365, place=None
        )
        lat.append(time.perf_counter() - t)
        hits += bool(got)
    print(
        f"duplicate lookup among {len(index):,}: p95 {p95(lat):.2f} ms (median {np.median(lat) * 1000:.2f} ms; {hits}/1000 found candidates)"
    )

    # --- full suggestion -------------------------------------------------------------------
    tree = demo_tree()
    get_model()
    lat = []
    for _ in range(500):
        a, b = texts[rng.randrange(len(texts))]
        t = time.perf_counter()
        suggest(
            title=a,
            content=b,
            received_at=datetime(2019, 6, 1, tzinfo=UTC),
            region_tree=tree,
            duplicate_index=index,
        )
        lat.append(time.perf_counter() - t)
    print(
        f"full suggestion (category, urgency, validity, places, personal data, duplicates among {len(index):,}): p95 {p95(lat):.2f} ms"
    )


if __name__ == "__main__":
    main()
