"""Backup and restore (deploy/bin/minxin-backup, minxin-restore) on a small real database:
a demo district with a few appeals and an uploaded file, dumped, restored into a fresh
database and media directory, and compared row for row. Runs on PostgreSQL at 127.0.0.1
whatever database the rest of the suite uses."""

import os
import shutil
from pathlib import Path

import psycopg
import pytest

from . import pg

BACKUP = str(pg.ROOT / "deploy" / "bin" / "minxin-backup")
RESTORE = str(pg.ROOT / "deploy" / "bin" / "minxin-restore")
# A small district and appeals through the real services, in every stage of the loop.
SEED = """
from tests.builders import appeal_in, district_build
district = district_build()
for status in ("received", "dispatched", "in_progress", "resolved", "rated", "archived"):
    appeal_in(district, status)
"""
TABLES = ("cases_appeal", "cases_appealevent", "directory_unit", "accounts_user")


def _snapshot(database: str) -> dict[str, list[tuple[object, ...]]]:
    return {
        "appeals": pg.rows(
            database,
            "SELECT tracking_number, title, status, version, received_at FROM cases_appeal"
            " ORDER BY tracking_number",
        ),
        "events": pg.rows(
            database, "SELECT appeal_id, action, to_status FROM cases_appealevent ORDER BY id"
        ),
        **{table: pg.rows(database, f"SELECT count(*) FROM {table}") for table in TABLES},  # noqa: S608
    }


def test_a_backup_restores_into_a_fresh_database_and_media_dir(tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.fail("pg_dump and pg_restore are needed: apt-get install postgresql-client")
    source_var, restored_var = tmp_path / "var", tmp_path / "restored"
    photo = source_var / "media" / "appeals" / "2026" / "photo.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(os.urandom(4096))
    with pg.migrated_database() as source, pg.empty_database() as target:
        env = pg.django_env(source)
        pg.minxin("shell", "--no-imports", "-c", SEED, env=env)
        before = _snapshot(source)
        assert len(before["appeals"]) == 6 and len(before["events"]) > 20

        backup_env = {
            **env,
            "MINXIN_VAR_DIR": str(source_var),
            "MINXIN_BACKUP_DIR": str(tmp_path / "backups"),
        }
        backup = Path(pg.succeed([BACKUP], backup_env).strip())
        assert sorted(p.name for p in backup.iterdir()) == [
            "SHA256SUMS",
            "media.tar.gz",
            "minxin.dump",
        ]

        restore_env = {**env, "DATABASE_URL": pg.url(target), "MINXIN_VAR_DIR": str(restored_var)}
        pg.succeed([RESTORE, str(backup)], restore_env)

        assert _snapshot(target) == before
        restored = restored_var / "media" / "appeals" / "2026" / "photo.jpg"
        assert restored.read_bytes() == photo.read_bytes()
        # The restored events are append-only still (the trigger came back with them).
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            psycopg.connect(pg.url(target)) as conn,
        ):
            conn.execute("UPDATE cases_appealevent SET reason = 'x'")
        # And the restored database serves: the application reads it.
        out = pg.minxin(
            "shell",
            "--no-imports",
            "-c",
            "from minxin.cases.models import Appeal; print(Appeal.objects.count())",
            env=restore_env,
        )
        assert out.strip() == str(len(before["appeals"]))

        # A second restore into the now-full database is refused, the data untouched.
        again = pg.run([RESTORE, str(backup)], restore_env)
        assert again.returncode == 2 and "not empty" in again.stderr
        assert _snapshot(target) == before


def test_a_corrupted_backup_is_refused_before_anything_is_touched(tmp_path: Path) -> None:
    with pg.migrated_database() as source, pg.empty_database() as target:
        env = {
            **pg.django_env(source),
            "MINXIN_VAR_DIR": str(tmp_path / "var"),
            "MINXIN_BACKUP_DIR": str(tmp_path / "b"),
        }
        backup = Path(pg.succeed([BACKUP], env).strip())
        with (backup / "minxin.dump").open("r+b") as dump:
            dump.seek(200)
            dump.write(b"\x00" * 16)
        done = pg.run([RESTORE, str(backup)], {**env, "DATABASE_URL": pg.url(target)})
        assert done.returncode != 0 and "FAILED" in done.stdout + done.stderr
        assert pg.rows(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [
            (0,)
        ]
