"""Time `minxin seed_demo --appeals N` into a fresh database, on SQLite and on PostgreSQL.

    .venv/bin/python bench/seed_demo.py --appeals 100000 --backends sqlite,postgres

Each backend gets a new database (a temporary SQLite file; a PostgreSQL database created and
dropped with psql, trust auth on 127.0.0.1:5432 as user postgres), `migrate` first (not
timed), then the seeding is timed as one command. DEBUG is off so queries are not logged.
"""

# ruff: noqa: S603 - runs our own commands and psql with arguments built here, no shell
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINXIN = ROOT / ".venv" / "bin" / "minxin"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
PSQL = shutil.which("psql") or "psql"


def _psql(sql: str) -> None:
    subprocess.run(
        [PSQL, "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-q", "-c", sql],
        check=True,
    )


@contextmanager
def _database(backend: str) -> Iterator[tuple[dict[str, str], str]]:
    """Environment for a fresh database of the backend, removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="minxin-bench-seed-"))
    env = {**os.environ, "MINXIN_VAR_DIR": str(tmp), "DEBUG": "0"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    try:
        if backend == "sqlite":
            path = tmp / "bench.sqlite3"
            env["DATABASE_URL"] = f"sqlite:///{path}"
            yield env, str(path)
        elif backend == "postgres":
            name = f"minxin_bench_seed_{os.getpid()}"
            _psql(f"DROP DATABASE IF EXISTS {name}")
            _psql(f"CREATE DATABASE {name}")
            env["DATABASE_URL"] = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
            try:
                yield env, name
            finally:
                _psql(f"DROP DATABASE IF EXISTS {name}")
        else:
            raise SystemExit(f"unknown backend {backend!r} (sqlite, postgres)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _size(backend: str, where: str, env: dict[str, str]) -> str:
    if backend == "sqlite":
        total = sum(p.stat().st_size for p in Path(where).parent.glob("bench.sqlite3*"))
        return f"{total / 2**20:.0f} MiB"
    out = subprocess.run(
        [PSQL, "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", where, "-Atc",
         "SELECT pg_size_pretty(pg_database_size(current_database()))"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip()


def run(backend: str, appeals: int, seed: int) -> tuple[float, str]:
    with _database(backend) as (env, where):
        subprocess.run([str(MINXIN), "migrate", "--noinput", "-v", "0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run(
            [str(MINXIN), "seed_demo", "--appeals", str(appeals), "--seed", str(seed)],
            env=env,
            check=True,
        )
        seconds = time.perf_counter() - started
        return seconds, _size(backend, where, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        print(f"== {backend}: seed_demo --appeals {args.appeals}", file=sys.stderr, flush=True)
        seconds, size = run(backend, args.appeals, args.seed)
        results.append((backend, seconds, size))
        print(
            f"{backend}: {args.appeals} appeals in {seconds:.1f} s = "
            f"{args.appeals / seconds:.0f} appeals/s (database {size})",
            flush=True,
        )
    print()
    print("| backend | appeals | total s | appeals/s | database |")
    print("|---|---:|---:|---:|---:|")
    for backend, seconds, size in results:
        rate = args.appeals / seconds
        print(f"| {backend} | {args.appeals:,} | {seconds:.1f} | {rate:.0f} | {size} |")


if __name__ == "__main__":
    main()
