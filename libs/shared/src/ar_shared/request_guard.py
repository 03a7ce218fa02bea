"""Pure-ASGI edge guard: what a request must get right before anything reads its body.

- A `/v1` request without a valid bearer token is answered 401 before its body is read: an
  anonymous caller cannot make a service buffer or parse anything.
- A body larger than its route's cap is refused with 413, from its `Content-Length` before a
  byte is read, or while it streams: the app never holds more than the cap.
- A body sent to a route that takes JSON must say so in its `Content-Type` (415).

Pure ASGI (not BaseHTTPMiddleware) because it sits on the credit check's hot path: a request
without a body costs one pass over its headers; the token it verifies is the one the route's
`authenticate` dependency then takes from `request.state` instead of verifying it again.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ar_shared.auth.dependencies import missing_token
from ar_shared.problems import ProblemError, render_problem

BULK_BODY: Final[dict[str, Any]] = {"x-body-limit": "bulk"}
"""`openapi_extra=BULK_BODY` on a route gives it the bulk body cap (and says so in OpenAPI)."""


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than this route accepts ({limit} bytes)")


class NotJson(HTTPException):
    def __init__(self) -> None:
        super().__init__(415, "this route takes a JSON body: send it with `Content-Type: application/json`")


class RequestGuard:
    """Authenticates `/v1` requests first, caps every body per route, and refuses non-JSON bodies."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_bulk_body_bytes: int, protected_prefix: str = "/v1/"
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_bulk_body_bytes = max_bulk_body_bytes
        self.protected_prefix = protected_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authorization = content_length = content_type = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"content-length":
                content_length = value
            elif name == b"content-type":
                content_type = value
            elif name == b"transfer-encoding":
                chunked = True
        if scope["path"].startswith(self.protected_prefix):
            refusal = await _authenticate(scope, authorization)
            if refusal is not None:
                await render_problem(Request(scope), refusal)(scope, receive, send)
                return
        declared = _length(content_length)
        if chunked or (declared is not None and declared > 0):
            receive = GuardedBody(self, scope, receive, declared, content_type)
        await self.app(scope, receive, send)

    def limit_for(self, route: Any) -> int:
        extra = getattr(route, "openapi_extra", None) or {}
        return self.max_bulk_body_bytes if extra.get("x-body-limit") == "bulk" else self.max_body_bytes


async def _authenticate(scope: Scope, authorization: bytes | None) -> ProblemError | None:
    """The reason to refuse the request, or None with the caller kept for `authenticate`."""
    # the same reading of the header as FastAPI's HTTPBearer, which OpenAPI documents
    scheme, _, token = (authorization or b"").decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return missing_token()
    try:
        principal = await scope["app"].state.token_verifier.verify(token)
    except ProblemError as exc:
        return exc
    scope.setdefault("state", {})["principal"] = principal
    return None


def _length(value: bytes | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None  # the server refuses a malformed length; counting still caps the body


class GuardedBody:
    """The `receive` the app reads the body through.

    Its first call comes after routing (the app reads a body only once a route matched), so it
    knows the route: its cap, and whether it takes JSON. Refusals are raised as HTTPExceptions,
    which FastAPI lets through its body parsing to the problem handlers.
    """

    __slots__ = ("_content_type", "_declared", "_guard", "_limit", "_receive", "_received", "_scope")

    def __init__(
        self,
        guard: RequestGuard,
        scope: Scope,
        receive: Receive,
        declared: int | None,
        content_type: bytes | None,
    ) -> None:
        self._guard = guard
        self._scope = scope
        self._receive = receive
        self._declared = declared
        self._content_type = content_type
        self._limit = -1
        self._received = 0

    async def __call__(self) -> Message:
        if self._limit < 0:
            self._limit = self._admit()
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                raise BodyTooLarge(self._limit)  # before the app sees the chunk that crossed it
        return message

    def _admit(self) -> int:
        route = self._scope.get("route")
        if getattr(route, "body_field", None) is not None and not is_json(self._content_type):
            raise NotJson()
        limit = self._guard.limit_for(route)
        if self._declared is not None and self._declared > limit:
            raise BodyTooLarge(limit)
        return limit


def is_json(content_type: bytes | None) -> bool:
    """`application/json` or any `application/*+json`, parameters (charset) aside."""
    if content_type is None:
        return False
    media_type = content_type.split(b";", 1)[0].strip().lower()
    return media_type == b"application/json" or (
        media_type.startswith(b"application/") and media_type.endswith(b"+json")
    )
