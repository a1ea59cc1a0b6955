"""Reporting reads on a streaming replica (minxin/core/replica.py), tested against a real
one: a private PostgreSQL primary started for the test on the loopback, a second instance made
its hot standby by pg_basebackup, both on free ports under a directory of their own — the
machine's own server is left as it is (its pg_hba.conf allows no replication connection).

The scenario (replica_scenario.py, in a process configured like production with
MINXIN_REPLICA_URL): reporting reads go to the replica and the figures' selector runs there;
replay paused, a new appeal is not seen by reporting reads within the allowed lag and is seen
beyond it (the primary answers); replay resumed, back on the replica; the standby stopped,
reporting reads and /readyz answer from the primary."""

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

from . import pg


def _start(data: Path, port: int) -> None:
    pg.instance_start(
        data,
        port,
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB "
        "-c max_wal_senders=4 -c wal_level=replica -c hot_standby=on",
    )


@pytest.fixture
def primary_and_standby() -> Iterator[tuple[str, str, Path]]:
    pg.server_ready()
    root = Path(tempfile.mkdtemp(prefix="minxin-replica-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary, standby = root / "primary", root / "standby"
    p_port, s_port = free_port(), free_port()
    env = dict(os.environ)
    started: list[Path] = []
    try:
        pg.instance_init(primary)
        _start(primary, p_port)
        started.append(primary)
        # The schema: the migrated template of the machine's server, dumped and restored.
        primary_url = pg.instance_schema(p_port, root)
        pg.succeed(
            pg.as_postgres(
                [
                    pg.pg_bin("pg_basebackup"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(p_port),
                    "-U",
                    "postgres",
                    "-D",
                    str(standby),
                    "-R",
                    "-X",
                    "stream",
                    "--no-sync",
                ]
            ),
            env,
            timeout=300,
        )
        _start(standby, s_port)
        started.append(standby)
        yield primary_url, f"postgres://postgres@127.0.0.1:{s_port}/minxin", standby
    finally:
        for data in reversed(started):
            pg.run(pg.instance_stop_command(data), env)
        shutil.rmtree(root, ignore_errors=True)


def test_reporting_reads_follow_the_replica_its_lag_and_its_absence(primary_and_standby) -> None:
    primary_url, standby_url, standby = primary_and_standby
    env = pg.django_env(
        "unused",
        DATABASE_URL=primary_url,
        MINXIN_REPLICA_URL=standby_url,
        MINXIN_REPLICA_CHECK_SECONDS="0",
        ALLOWED_HOSTS="testserver",
        REPLICA_STOP=json.dumps(pg.instance_stop_command(standby)),
    )
    done = pg.run(
        [
            str(pg.ROOT / ".venv" / "bin" / "python"),
            str(Path(__file__).with_name("replica_scenario.py")),
        ],
        env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["transparency_queries_on_replica"] > 0
    assert report["lag_seen"] > 1
    # A dead replica costs one refused connection, not one per read.
    assert report["20_reads_while_down_seconds"] < 5
