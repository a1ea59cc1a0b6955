"""Reporting reads on a streaming replica (docs/deploy.md, "Read replicas").

The figures (dashboards, scorecards, exports, the transparency page) read a great deal and
need not be current to the second: their selectors run inside `reporting_reads()`, and the
router sends their reads to the `replica` database when settings name one
(MINXIN_REPLICA_URL). Everything else — every write, every read of a request's own session and
user, every read inside a transaction — stays on the primary.

The replica is used only while it answers and its replay lags less than
MINXIN_REPLICA_MAX_LAG_SECONDS; a process looks again every MINXIN_REPLICA_CHECK_SECONDS.
Down or behind, the reads fall back to the primary: slower figures, never a failed page."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

REPLICA: Final = "replica"
# Never from the replica: the database cache (a value just set must be read back) and sessions.
_PRIMARY_ONLY: Final = frozenset({"django_cache", "sessions"})
_reporting: ContextVar[bool] = ContextVar("minxin_reporting_reads", default=False)

# On a standby: 0 when everything received is replayed (nothing to catch up), else the age of
# the last replayed transaction; NULL (never replayed) counts as very late. A server that is
# not in recovery is no standby: it lags nothing.
_LAG_SQL: Final = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


@dataclass(frozen=True)
class ReplicaState:
    """What a process last saw of the replica: `state` is none (not configured), up, lagging
    or down; `lag` in seconds (None when down or not configured)."""

    state: str
    lag: float | None
    checked_at: float

    @property
    def usable(self) -> bool:
        return self.state == "up"


_lock = threading.Lock()
_last: ReplicaState | None = None


@contextlib.contextmanager
def reporting_reads() -> Iterator[None]:
    """Reads of the ORM inside go to the replica when it is usable."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_state(*, fresh: bool = False) -> ReplicaState:
    """The replica as this process last saw it, looked at again when older than
    MINXIN_REPLICA_CHECK_SECONDS (or `fresh`)."""
    global _last
    if not replica_configured():
        return ReplicaState("none", None, time.monotonic())
    now = time.monotonic()
    last = _last
    if not fresh and last is not None and now - last.checked_at < _check_seconds():
        return last
    with _lock:
        state = _look()
        _last = state
    return state


def replica_forget() -> None:
    """Forget the last look (tests, and after reconfiguring)."""
    global _last
    _last = None


def _check_seconds() -> float:
    return float(getattr(settings, "MINXIN_REPLICA_CHECK_SECONDS", 5))


def _look() -> ReplicaState:
    connection = connections[REPLICA]
    try:
        if connection.vendor != "postgresql":
            lag = 0.0
        else:
            with connection.cursor() as cursor:
                cursor.execute(_LAG_SQL)
                row = cursor.fetchone()
            lag = float(row[0]) if row and row[0] is not None else 1e9
    except Exception as exc:  # any failure to reach it means down: the primary answers instead
        logger.warning(
            "replica unreachable (%s): reporting reads on the primary", type(exc).__name__
        )
        with contextlib.suppress(Exception):
            connection.close()
        return ReplicaState("down", None, time.monotonic())
    limit = float(getattr(settings, "MINXIN_REPLICA_MAX_LAG_SECONDS", 30))
    if lag > limit:
        logger.warning("replica lags %.1f s (> %.1f s): reporting reads on the primary", lag, limit)
        return ReplicaState("lagging", lag, time.monotonic())
    return ReplicaState("up", lag, time.monotonic())


class ReportingRouter:
    """`reporting_reads()` reads to the replica while it is usable; all else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _reporting.get() or not replica_configured():
            return None
        if model._meta.app_label in _PRIMARY_ONLY:
            return DEFAULT_DB_ALIAS
        # Inside a transaction on the primary a read must see that transaction's writes.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA if replica_state().usable else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's very rows: objects read from either relate.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
