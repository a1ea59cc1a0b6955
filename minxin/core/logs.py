"""Structured logs: one JSON object a line (`MINXIN_LOG_FORMAT=json`, the production default).

Every line is masked by the staff rule of `core/privacy.py` (phone numbers, ID-card numbers,
plates, e-mail addresses, names after a cue) — the message, the exception and every extra
field — so a personal detail that slipped into a message does not reach the log store. The
request lines (`minxin.request`, `core/observability.py`) carry the path without its query
string and the route, never a form field."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Final

from .privacy import mask_personal_data

# The attributes every LogRecord has: anything else on a record came as `extra=` and is logged.
_STANDARD: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return mask_personal_data(str(value))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": _masked(record.getMessage()),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in line:
                line[key] = _masked(value)
        if record.exc_info:
            line["exception"] = _masked(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = _masked(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


class QuietTasks(logging.Filter):
    """Drops the task framework's lines below `level` (a line per task run: at the demo's
    start-up, 150+ of them drowned the logins); its warnings and failures still show.
    The worker sets its loggers' levels itself, so the filter sits on the handler."""

    PREFIXES = ("django_tasks",)

    def __init__(self, level: str = "WARNING") -> None:
        super().__init__()
        self.level = logging.getLevelNamesMapping().get(level.upper(), logging.WARNING)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.level:
            return True
        return not record.name.startswith(self.PREFIXES)
