"""A mixed load on the loopback (issue 17): citizens submitting, handlers acting, dispatchers
screening and leaders on the dashboard at once, bounded, with each kind of request's figures.

    .venv/bin/python bench/mixed_load.py [--minutes 10] [--users 20] [--spawn-rate 2] [--reuse]

What runs: minxin from this checkout with production settings (config.settings.prod) behind
gunicorn (4 processes, 1 thread each), rate limits off, plain HTTP, the second factor not
required (staff log in with a password), one background worker (`db_worker`) beside it, on
its own PostgreSQL database (`bench_mixed`: migrated, the demo seeded with 2,000 appeals) —
the same server and worker as bench/intake.py, whose functions this uses; its files
(the triage model, static files) in var/bench-mixed. `--reuse` keeps the previous run's
database as the load left it (no new seed: a quicker second look, not a clean run). The load is
locust's, headless, from bench/locustfile.py (the mix and its weights are in its docstring),
for `--minutes` with `--users` users, each waiting 1–3 s between its steps. locust is built
from PyPI in its own virtualenv (var/bench-tools, made once), not one of the project's
dependencies.

Printed: per kind of request the count, requests/s, p50/p95/p99 (ms, as locust rounds them),
the failures (a status other than the expected; a POST expects its redirect), the failures'
messages, the share of requests each user kind made, and the CPU other processes used
meanwhile (all CPU time in /proc/stat less the server's, the worker's, PostgreSQL's and
locust's, as a share of the machine's cores).
"""

# ruff: noqa: S603, S608 - our own programs and arguments; SQL of our own tables
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from intake import (
    PG,
    ROOT,
    TICK,
    VENV,
    _group_ticks,
    _gunicorn,
    _run,
    _sql,
    background_worker,
    minxin_env,
    minxin_seed,
    served,
)
from timing import busy_ticks

TOOLS = ROOT / "var" / "bench-tools"
LOCUST_VERSION = "2.47.0"
DATABASE = "bench_mixed"
PORT = 8914
PASSWORD = "bench-mixed-password"  # noqa: S105 - the bench's own demo accounts


def locust_build() -> Path:
    """locust in its own virtualenv, from PyPI, once."""
    locust = TOOLS / "venv" / "bin" / "locust"
    if not locust.exists():
        print(f"building locust {LOCUST_VERSION} from PyPI (once)", flush=True)
        _run([sys.executable, "-m", "venv", str(TOOLS / "venv")])
        _run([str(TOOLS / "venv" / "bin" / "python"), "-m", "pip", "install", "-q",
              f"locust=={LOCUST_VERSION}"])  # fmt: skip
    return locust


def _usernames(where: str) -> str:
    query = (
        "SELECT u.username FROM accounts_user u LEFT JOIN directory_unit n ON n.id = u.unit_id "
        f"WHERE u.is_active AND {where} ORDER BY u.username"
    )
    return ",".join(row[0] for row in _sql(DATABASE, query))


def accounts() -> dict[str, str]:
    """The demo's staff accounts each user kind logs in with: the handlers of the streets
    (街道/镇, one unit each), the dispatchers, the leaders and supervisors."""
    return {
        "BENCH_PASSWORD": PASSWORD,
        "BENCH_HANDLERS": _usernames("u.role = 'handler' AND n.kind = 'subdistrict'"),
        "BENCH_DISPATCHERS": _usernames("u.role = 'dispatcher'"),
        "BENCH_LEADERS": _usernames("u.role IN ('leader', 'supervisor')"),
    }


def locust_run(
    locust: Path, args: argparse.Namespace, env: dict[str, str], out: Path, sessions: list[int]
) -> float:
    """locust headless against the server; returns the other processes' CPU share."""
    cmd = [
        str(locust),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{PORT}",
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        f"{round(args.minutes * 60)}s",
        "--csv",
        str(out / "mixed"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    log = out / "locust.log"
    start = (time.monotonic(), busy_ticks(), _group_ticks(sessions))
    with log.open("w") as stream:
        process = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=stream, stderr=stream, start_new_session=True
        )
        _, _, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start[0]
    own = (usage.ru_utime + usage.ru_stime) * TICK  # locust's, read when it has ended
    other = (busy_ticks() - start[1]) - (_group_ticks(sessions) - start[2]) - own
    print(f"locust's log: {log}; its CPU {own / TICK / wall:.0%} of one core", flush=True)
    return max(0.0, other / TICK / wall / (os.cpu_count() or 1))


def report(out: Path, other_cpu: float, minutes: float) -> None:
    with (out / "mixed_stats.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    named = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: r["Name"])
    print(f"\nmixed load, {minutes:g} min; other processes' CPU {other_cpu:.0%} of the machine")
    print("| request | count | req/s | p50 ms | p95 ms | p99 ms | failures |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in [*named, total]:
        label = f"{r['Type']} {r['Name']}" if r is not total else "**all**"
        print(
            f"| {label} | {r['Request Count']} | {float(r['Requests/s']):.2f} | {r['50%']} | "
            f"{r['95%']} | {r['99%']} | {r['Failure Count']} |"
        )
    kinds: dict[str, int] = {}
    for r in named:
        kind = r["Name"].split(":")[0] if ":" in r["Name"] else "login"
        kinds[kind] = kinds.get(kind, 0) + int(r["Request Count"])
    count = int(total["Request Count"]) or 1
    print("\nshare of requests: " + ", ".join(f"{k} {n / count:.0%}" for k, n in kinds.items()))
    with (out / "mixed_failures.csv").open() as stream:
        failures = list(csv.DictReader(stream))
    for f in failures:
        print(f"failure: {f['Method']} {f['Name']}: {f['Error']} × {f['Occurrences']}")
    if not failures:
        print("failures: none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument(
        "--reuse", action="store_true", help="the previous run's database, not seeded again"
    )
    args = parser.parse_args()
    locust = locust_build()
    var = ROOT / "var" / "bench-mixed"
    env = {
        **minxin_env(var, DATABASE),
        "MINXIN_2FA_REQUIRED": "0",
        "MINXIN_DEMO_PASSWORD": PASSWORD,
    }
    if not args.reuse:
        print(f"seeding {PG}{DATABASE} (2,000 appeals)", flush=True)
        minxin_seed(env, var, DATABASE, appeals=2000)
    load_env = {**os.environ, **accounts()}
    out = Path(tempfile.mkdtemp(prefix="bench-mixed-"))
    cmd = _gunicorn(VENV / "gunicorn", "config.wsgi:application", PORT)
    # A busy shared machine may take minutes to start Django in 4 processes.
    with (
        served(cmd, env, PORT, ROOT, start_timeout=300) as sessions,
        background_worker(env) as worker,
    ):
        print(f"load: {args.users} users for {args.minutes:g} min", flush=True)
        other_cpu = locust_run(locust, args, load_env, out, [*sessions, worker])
    report(out, other_cpu, args.minutes)


if __name__ == "__main__":
    main()
