"""PostgreSQL for the deployment tests, whatever database the suite itself runs on: the
machine's server on 127.0.0.1:5432 (the CI starts it), the real client tools.

`migrated_database()` copies a migrated template (built once per migration state, then kept:
`CREATE DATABASE … TEMPLATE` takes a second where `migrate` takes most of a minute)."""

from __future__ import annotations

import glob
import hashlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = os.environ.get("MINXIN_TEST_PGHOST", "127.0.0.1")
PORT = int(os.environ.get("MINXIN_TEST_PGPORT", "5432"))
MINXIN = str(ROOT / ".venv" / "bin" / "minxin")


def url(name: str) -> str:
    return f"postgres://postgres@{HOST}:{PORT}/{name}"


def server_ready() -> None:
    try:
        psycopg.connect(url("postgres"), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.fail(f"these tests need the PostgreSQL of the machine at {HOST}:{PORT}: {exc}")


def admin(sql: str) -> None:
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "minxin").glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def django_env(database: str, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO", "DATABASE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=url(database),
        MINXIN_VAR_DIR=str(ROOT / "var"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run(
    cmd: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """One of our own commands (the tests' arguments, no shell), its output captured."""
    return subprocess.run(  # noqa: S603 — our own programs and arguments
        cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def succeed(cmd: list[str], env: dict[str, str], timeout: float = 300) -> str:
    done = run(cmd, env, timeout)
    assert done.returncode == 0, f"{' '.join(cmd)}: {done.stderr[-3000:]}"
    return done.stdout


def minxin(*args: str, env: dict[str, str], timeout: float = 300) -> str:
    return succeed([MINXIN, *args], env, timeout)


def template() -> str:
    """The migrated template of this code's migrations, built if missing (under an advisory
    lock, so two test processes build it once)."""
    server_ready()
    name = f"minxin_tpl_{_migrations_hash()}"
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
        try:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                building = f"{name}_building_{os.getpid()}"
                conn.execute(f'DROP DATABASE IF EXISTS "{building}"')  # type: ignore[arg-type]
                conn.execute(f'CREATE DATABASE "{building}"')  # type: ignore[arg-type]
                env = django_env(building)
                minxin("migrate", "--noinput", "-v", "0", env=env, timeout=600)
                minxin("createcachetable", env=env)
                conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')  # type: ignore[arg-type]
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
    return name


@contextmanager
def migrated_database(prefix: str = "minxin_deploy") -> Iterator[str]:
    """A fresh database copied from the template, dropped afterwards."""
    source = template()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield name
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def empty_database(prefix: str = "minxin_deploy") -> Iterator[str]:
    server_ready()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(database: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url(database)) as conn:
        return conn.execute(sql).fetchall()  # type: ignore[arg-type]


# --- a private PostgreSQL instance (initdb in a directory of the test, a free loopback port) --


def pg_bin(name: str) -> str:
    """A server program of the newest PostgreSQL installed (initdb, pg_ctl, pg_basebackup)."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: [int(x) if x.isdigit() else x for x in p.split("/")],
    )
    if not found:
        pytest.fail(f"{name} not found under /usr/lib/postgresql/*/bin: apt-get install postgresql")
    return found[-1]


def as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def instance_init(data: Path) -> None:
    succeed(
        as_postgres(
            [
                pg_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        ),
        dict(os.environ),
    )


def instance_start(data: Path, port: int, options: str = "") -> None:
    """Start (or start again) the instance in `data` on 127.0.0.1:`port`, its log next to it.
    `options`: more `-c name=value` for the server."""
    succeed(
        as_postgres(
            [
                pg_bin("pg_ctl"),
                "-D",
                str(data),
                "-o",
                f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data} "
                + options,
                "-l",
                f"{data}.log",
                "-w",
                "-t",
                "120",
                "start",
            ]
        ),
        dict(os.environ),
        timeout=180,
    )


def instance_stop_command(data: Path) -> list[str]:
    """Stop the instance at once, as a crash would (no checkpoint: recovery at the next start)."""
    return as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])


def instance_schema(port: int, root: Path) -> str:
    """A database `minxin` on the instance with the migrated template's schema (dumped from the
    machine's server and restored); its URL."""
    env = dict(os.environ)
    target = f"postgres://postgres@127.0.0.1:{port}/minxin"
    admin_url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE minxin")
    dump = root / "template.dump"
    succeed(["pg_dump", "-Fc", "-f", str(dump), "--dbname", url(template())], env)
    succeed(["pg_restore", "--no-owner", "--exit-on-error", "-d", target, str(dump)], env)
    return target
