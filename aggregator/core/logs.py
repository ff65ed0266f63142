"""Structured logs: one line per event, as text for people or JSON for machines.

Every logger of the process writes through the same handler (the scheduler's and the
web server's too), so with `--log-format json` every line is one JSON object, even a
traceback: it travels in the `traceback` field.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

LOGGER = logging.getLogger("aggregator")


def _fields(record: logging.LogRecord) -> dict[str, object]:
    fields = dict(getattr(record, "fields", {}))
    if record.name != LOGGER.name:
        fields["logger"] = record.name
    if record.exc_info:
        fields["traceback"] = logging.Formatter().formatException(record.exc_info)
    elif record.exc_text:
        fields["traceback"] = record.exc_text
    return fields


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **_fields(record),
        }
        return json.dumps(data, ensure_ascii=False, default=str)


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        fields = _fields(record)
        trace = fields.pop("traceback", None)
        pairs = " ".join(f"{k}={v}" for k, v in fields.items())
        line = f"{stamp} {record.levelname.lower():7} {record.getMessage()} {pairs}".rstrip()
        return f"{line}\n{trace}" if trace else line


def setup(form: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Json() if form == "json" else _Text())
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(level)
    LOGGER.propagate = False
    root = logging.getLogger()  # APScheduler, uvicorn, asyncio: the same lines
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


def event(message: str, level: int = logging.INFO, **fields: object) -> None:
    LOGGER.log(level, message, extra={"fields": fields})
