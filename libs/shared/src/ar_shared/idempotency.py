"""`Idempotency-Key` storage and replay for every POST that changes state.

Same key + same body replays the first response (a body compared by content: JSON whatever its
whitespace or key order, multipart/form-data whatever its boundary); same key + another body is refused (422);
a duplicate arriving while the first is still being processed is refused (409). The key row is
written in the request's own transaction, so a failed request leaves nothing behind and can be
retried with the same key. `ar_shared.routing.ServiceRoute` puts the guard on every POST and
stores the response it rendered: no endpoint has to remember to.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_shared.auth import Principal, authenticate
from ar_shared.db import DbSession
from ar_shared.plumbing import PlumbingTables
from ar_shared.problems import Conflict, ProblemError, Unprocessable

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# not replayed: recomputed for the replayed body, or about the connection rather than the answer
_UNSTORED_HEADERS = {"content-length", "content-type", "connection", "transfer-encoding"}


class IdempotentReplay(Exception):
    """Raised when a stored response answers the request; rendered as that response."""

    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        super().__init__("idempotent replay")
        self.status = status
        self.body = body
        self.headers = headers


async def _replay_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, IdempotentReplay)
    headers = {**exc.headers, "Idempotent-Replayed": "true"}
    if exc.body is None:  # the first answer had no body (204)
        return Response(status_code=exc.status, headers=headers)
    return JSONResponse(exc.body, status_code=exc.status, headers=headers)


def install_idempotency_handler(app: Any) -> None:
    app.add_exception_handler(IdempotentReplay, _replay_handler)


def request_fingerprint(
    method: str, path: str, query: str, body: bytes, content_type: str | None = None
) -> str:
    """What identifies a request's intent: its method, path, query and body content.

    JSON bodies are compared by content, not by whitespace or key order; a multipart/form-data body
    by its parts (`multipart_content`), not by its boundary, which a client picks anew for every
    attempt; any other body byte for byte."""
    canonical = _multipart_canonical(body, content_type) if _is_multipart(content_type) else None
    if canonical is None:
        try:
            canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "multipart/form-data"


@dataclass(frozen=True, slots=True)
class FormPart:
    """What a multipart/form-data part says: its field name, its file name and Content-Type (None
    when not given), and the SHA-256 of its bytes."""

    name: bytes
    filename: bytes | None
    content_type: bytes | None
    sha256: bytes


def multipart_content(body: bytes, content_type: str) -> list[FormPart] | None:
    """The parts of a multipart/form-data body in a stable order (by field name; parts of one name
    in the order sent), or None when the body is not well-formed multipart (it is then compared
    byte for byte, and the route refuses it). Each part's bytes are digested as the parser passes
    them: a file is never copied whole."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        return None
    parts: list[FormPart] = []
    headers: dict[bytes, bytes] = {}
    header_name = bytearray()
    header_value = bytearray()
    digest = hashlib.sha256()

    def on_part_begin() -> None:
        nonlocal digest
        headers.clear()
        digest = hashlib.sha256()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_name).strip().lower()] = bytes(header_value).strip()
        header_name.clear()
        header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        digest.update(memoryview(data)[start:end])

    def on_part_end() -> None:
        _, disposition = parse_options_header(headers.get(b"content-disposition"))
        parts.append(
            FormPart(
                name=disposition.get(b"name", b""),
                filename=disposition.get(b"filename"),
                content_type=headers.get(b"content-type"),
                sha256=digest.digest(),
            )
        )

    callbacks: MultipartCallbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)
        parser.write(body)
        parser.finalize()
    except ValueError:  # python-multipart's FormParserError is one
        return None
    return sorted(parts, key=lambda p: p.name)  # stable: one name's parts keep their order


def _multipart_canonical(body: bytes, content_type: str | None) -> bytes | None:
    parts = multipart_content(body, content_type or "")
    if parts is None:
        return None
    canonical = bytearray(b"multipart/form-data")
    for part in parts:
        for value in (part.name, part.filename, part.content_type, part.sha256):
            # length-prefixed, and a missing file name or type apart from an empty one
            if value is None:
                canonical.extend(b"\xff" * 8)
            else:
                canonical.extend(len(value).to_bytes(8, "big"))
                canonical.extend(value)
    return bytes(canonical)


@dataclass
class IdempotencyGuard:
    """The key a request sent (if any), checked; `remember` stores the answer under it."""

    session: AsyncSession
    tables: PlumbingTables | None
    key: str | None
    principal: str
    method: str
    path: str
    fingerprint: str

    async def remember(self, response: Response) -> None:
        if self.key is None or self.tables is None or not 200 <= response.status_code < 300:
            return
        body = bytes(response.body)
        headers = {k: v for k, v in response.headers.items() if k.lower() not in _UNSTORED_HEADERS}
        await self.session.execute(
            self.tables.idempotency_keys.insert().values(
                principal=self.principal,
                key=self.key,
                method=self.method,
                path=self.path,
                request_hash=self.fingerprint,
                response_status=response.status_code,
                response_body=json.loads(body) if body else None,
                response_headers=headers,
            )
        )


async def remember_response(request: Request, response: Response) -> None:
    """Stores `response` under the request's key (called by `ServiceRoute` after the endpoint)."""
    guard: IdempotencyGuard | None = getattr(request.state, "idempotency", None)
    if guard is not None:
        await guard.remember(response)


async def idempotency_guard(
    request: Request,
    session: DbSession,
    caller: Annotated[Principal, Depends(authenticate)],
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description=(
                "A unique value per intended change (e.g. a UUID), 1 to 255 characters. A retry with "
                "the same key and body answers with the first response (`Idempotent-Replayed: true`) "
                "and changes nothing; the same key with another body is refused (422 "
                "`idempotency_key_reused`); while the first request is still running, 409 "
                "`idempotency_key_in_flight`. Keys are per caller."
            ),
            examples=["5f0c6f1e-3c1b-4c38-9d43-1f0f2b1d9a77"],
        ),
    ] = None,
) -> IdempotencyGuard:
    return await open_guard(request, session, caller, key)


async def open_guard(
    request: Request, session: AsyncSession, caller: Principal, key: str | None
) -> IdempotencyGuard:
    """The request's guard (kept on `request.state.idempotency`), its key checked and locked; raises
    `IdempotentReplay` when a stored answer is the response. The dependency above, and the direct
    handler of `ar_shared.direct_writes`, which solves no dependencies."""
    # keys are per caller: two ERP systems may pick the same key without colliding
    principal = caller.subject
    path: str = request.scope["path"]
    guard = IdempotencyGuard(
        session=session,
        tables=getattr(request.app.state, "plumbing", None),
        key=key,
        principal=principal,
        method=request.method,
        path=path,
        fingerprint="",
    )
    request.state.idempotency = guard
    if key is None:
        return guard  # nothing to remember: no fingerprint to compute
    guard.fingerprint = request_fingerprint(
        request.method, path, request.url.query, await request.body(), request.headers.get("content-type")
    )
    # printable: the key is stored as text, and PostgreSQL refuses NUL (HTTP servers refuse control
    # characters in headers, but an in-process client does not)
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ProblemError(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters", code="invalid_idempotency_key"
        )
    tables: PlumbingTables = request.app.state.plumbing
    # a transaction-scoped lock per (principal, key): a concurrent duplicate fails fast with 409
    # instead of queueing behind the first request's transaction
    lock_id = f"{tables.schema}:idem:{principal}:{key}"
    acquired = await session.scalar(select(func.pg_try_advisory_xact_lock(func.hashtextextended(lock_id, 0))))
    if not acquired:
        raise Conflict(
            "a request with this Idempotency-Key is still being processed; retry later",
            code="idempotency_key_in_flight",
        )
    t = tables.idempotency_keys
    stored = (
        await session.execute(
            select(t.c.request_hash, t.c.response_status, t.c.response_body, t.c.response_headers).where(
                t.c.principal == principal, t.c.key == key
            )
        )
    ).first()
    if stored is None:
        return guard
    if stored.request_hash != guard.fingerprint:
        raise Unprocessable(
            "this Idempotency-Key was used with a different request body",
            code="idempotency_key_reused",
        )
    raise IdempotentReplay(stored.response_status, stored.response_body, dict(stored.response_headers))
