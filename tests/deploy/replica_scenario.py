"""Run by test_replica.py in its own process, with DATABASE_URL on a private primary and
MINXIN_REPLICA_URL on its streaming standby (REPLICA_DATA, REPLICA_STOP describe the standby).
Asserts; a failure is a traceback and a non-zero exit."""

import json
import os
import subprocess
import time

import django
import psycopg

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from minxin.cases.models import Appeal  # noqa: E402
from minxin.citizen.selectors import transparency_figures  # noqa: E402
from minxin.core.replica import replica_forget, replica_state, reporting_reads  # noqa: E402
from tests.builders import appeal_in, appeal_new, district_build  # noqa: E402

PRIMARY = os.environ["DATABASE_URL"]
STANDBY = os.environ["MINXIN_REPLICA_URL"]
report: dict[str, object] = {}


def standby_sql(sql: str) -> object:
    with psycopg.connect(STANDBY, autocommit=True) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None


def caught_up() -> None:
    with psycopg.connect(PRIMARY, autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
    deadline = time.monotonic() + 60
    while not standby_sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
        assert time.monotonic() < deadline, "the standby did not catch up in 60 s"
        time.sleep(0.2)


def reporting_count() -> tuple[int, str]:
    replica_forget()
    with reporting_reads():
        appeals = Appeal.objects.all()
        return appeals.count(), appeals.db


# A district and appeals, written on the primary, streamed to the standby.
district = district_build()
for status in ("received", "dispatched", "in_progress", "resolved"):
    appeal_in(district, status)
caught_up()
settings.MINXIN_REPLICA_MAX_LAG_SECONDS = 3600

assert standby_sql("SELECT pg_is_in_recovery()") is True
assert reporting_count() == (4, "replica")
assert replica_state().state == "up"
assert Appeal.objects.all().db == "default"  # reads outside reporting stay on the primary

# The figures' own selector reads on the replica (a hot standby: a write there would fail).
connections["replica"].force_debug_cursor = True
figures = transparency_figures(today=timezone.localdate())
on_replica = len(connections["replica"].queries)
connections["replica"].force_debug_cursor = False
assert on_replica > 0, "transparency_figures read nothing from the replica"
report["transparency_queries_on_replica"] = on_replica

# Replay paused: the replica falls behind. Within the allowed lag it still answers, with what
# it had: proof that the reads go there.
standby_sql("SELECT pg_wal_replay_pause()")
appeal_new(district, title="回放暂停后受理")
assert Appeal.objects.count() == 5
assert reporting_count() == (4, "replica")
time.sleep(2.5)
lag = standby_sql("SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
assert float(lag) > 2  # type: ignore[arg-type]

# Beyond the allowed lag: the primary answers, current.
settings.MINXIN_REPLICA_MAX_LAG_SECONDS = 1
assert reporting_count() == (5, "default")
state = replica_state()
assert state.state == "lagging" and state.lag is not None and state.lag > 1
report["lag_seen"] = round(state.lag, 1)

# Replay resumed: caught up, back on the replica.
standby_sql("SELECT pg_wal_replay_resume()")
caught_up()
assert reporting_count() == (5, "replica")

# The replica stops: reads fall back to the primary, pages and readiness still answer.
subprocess.run(json.loads(os.environ["REPLICA_STOP"]), check=True, capture_output=True)  # noqa: S603
appeal_new(district, title="备库停机后受理")
started = time.monotonic()
assert reporting_count() == (6, "default")
report["fallback_seconds"] = round(time.monotonic() - started, 2)
assert replica_state().state == "down"
figures_down = transparency_figures(today=timezone.localdate())
assert figures_down.months == figures.months
ready = Client().get("/readyz")
assert ready.status_code == 200, ready.content
assert ready.json()["checks"]["replica"] == "down"
# Within the check interval a process does not knock on the dead replica again.
settings.MINXIN_REPLICA_CHECK_SECONDS = 60
started = time.monotonic()
for _ in range(20):
    with reporting_reads():
        assert Appeal.objects.count() == 6
report["20_reads_while_down_seconds"] = round(time.monotonic() - started, 2)
print(json.dumps(report))
