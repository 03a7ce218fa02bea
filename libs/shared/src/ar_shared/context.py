"""Per-request / per-message context (request, correlation and trace ids) carried in contextvars."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class TraceContext:
    request_id: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    traceparent: str | None = None


_current: ContextVar[TraceContext] = ContextVar("ar_trace_context", default=TraceContext())  # noqa: B039 - frozen


def current() -> TraceContext:
    return _current.get()


@contextmanager
def bind(**changes: str | None) -> Iterator[TraceContext]:
    """Sets fields of the trace context for the duration of a request or message."""
    ctx = replace(_current.get(), **changes)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def new_traceparent(parent: str | None = None) -> str:
    """A W3C traceparent: keeps the caller's trace id, new span id."""
    trace_id = secrets.token_hex(16)
    if parent:
        parts = parent.split("-")
        if len(parts) == 4 and len(parts[1]) == 32:
            trace_id = parts[1]
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"
