"""Pure-ASGI request middleware: request/correlation/trace ids, access log line, metrics."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ar_shared import context
from ar_shared.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("ar.access")

REQUEST_ID = b"x-request-id"
CORRELATION_ID = b"x-correlation-id"
TRACEPARENT = b"traceparent"


class RequestContextMiddleware:
    """Binds ids for logs, events and audit records; echoes them back on the response.

    Pure ASGI (not BaseHTTPMiddleware): it sits on the credit check's hot path.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        request_id = _header(headers, REQUEST_ID) or uuid.uuid4().hex
        correlation_id = _header(headers, CORRELATION_ID) or request_id
        traceparent = context.new_traceparent(_header(headers, TRACEPARENT))
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID, request_id.encode()),
                    (CORRELATION_ID, correlation_id.encode()),
                ]
            await send(message)

        with context.bind(request_id=request_id, correlation_id=correlation_id, traceparent=traceparent):
            try:
                await self.app(scope, receive, send_with_ids)
            finally:
                elapsed = time.perf_counter() - started
                route = _route_template(scope)
                method = scope.get("method", "")
                HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
                HTTP_LATENCY.labels(self.service, method, route).observe(elapsed)
                if not route.startswith(("/health", "/metrics")):
                    log.info(
                        "%s %s %d",
                        method,
                        scope.get("path", ""),
                        status,
                        extra={
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 2),
                            "route": route,
                        },
                    )


def _header(headers: dict[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    if not value:
        return None
    text = value.decode("latin-1").strip()
    # ids end up in logs and events: keep them short and printable
    return text[:128] if text.isprintable() else None


def _route_template(scope: Scope) -> str:
    # the template, not the raw path, keeps metric label cardinality bounded
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"
