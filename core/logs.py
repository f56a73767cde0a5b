"""Log output: plain text by default, one JSON object per line with LOTSE_LOG_FORMAT=json.

Every record gets the current request id (`core.request_id`) when it is created, in the thread
that logs, because Litestar formats records later in a queue listener thread.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from core import request_id

TEXT_FORMAT = "%(levelname)s - %(asctime)s - %(name)s - %(message)s"
_installed = False


class JsonFormatter(logging.Formatter):
    """Time, level, logger, message and request id; an exception as its type only, since its
    text may quote personal data."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := getattr(record, "request_id", ""):
            entry["request_id"] = rid
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def stamp_request_ids() -> None:
    """Give every log record a `request_id` attribute (empty outside a request)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = request_id.current()
        return record

    logging.setLogRecordFactory(with_request_id)
    _installed = True


def formatter_config(log_format: str) -> dict[str, Any]:
    """The `formatters` entry of a logging dictConfig for the chosen format."""
    if log_format == "json":
        return {"()": "core.logs.JsonFormatter"}
    return {"format": TEXT_FORMAT}


def uvicorn_log_config(log_format: str) -> dict[str, Any]:
    """uvicorn's own lines (start-up, errors) in the same format as Lotse's."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"standard": formatter_config(log_format)},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "standard",
                                "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
    }


def configure(log_format: str) -> None:
    """For processes without Litestar's logging (`lotse worker`): INFO and up to stderr."""
    stamp_request_ids()
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
