"""The demo's log (issue 14): no line per background task run (150+ at start-up drowned the
logins) while failures still show; the worker without the file-watching reloader; gunicorn's
lines in the app's local time."""

import logging
from pathlib import Path

from minxin.core.logs import QuietTasks

ROOT = Path(__file__).resolve().parents[2]


def _record(name: str, level: int) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, "Task id=%s state=%s", ("x", "y"), None)


def test_quiet_tasks_drops_the_task_lines_below_its_level_only():
    quiet = QuietTasks("WARNING")
    assert not quiet.filter(_record("django_tasks", logging.INFO))
    assert not quiet.filter(_record("django_tasks_db", logging.INFO))  # "Starting worker"
    assert quiet.filter(_record("django_tasks", logging.ERROR))  # a failed task
    assert quiet.filter(_record("minxin.notify.sms", logging.INFO))
    assert QuietTasks("INFO").filter(_record("django_tasks", logging.INFO))  # the default


def test_make_demo_runs_a_quiet_worker_without_the_reloader_in_local_time():
    demo = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "db_worker --interval 2 --no-reload" in demo
    assert "MINXIN_TASK_LOG_LEVEL=WARNING" in demo
    assert "TZ=Asia/Shanghai" in demo
