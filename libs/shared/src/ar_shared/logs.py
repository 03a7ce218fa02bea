"""JSON logs with the request, correlation and trace ids of whatever is being handled."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from ar_shared import context


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = context.current()
        record.service = self._service
        record.request_id = ctx.request_id
        record.correlation_id = ctx.correlation_id
        record.traceparent = ctx.traceparent
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Replaces the root handlers with one JSON handler on stderr (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    )
    handler.addFilter(_ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # uvicorn's access log duplicates our request log line
    logging.getLogger("uvicorn.access").disabled = True
