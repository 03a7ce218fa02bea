"""RFC 9457 problem responses: one error type, one renderer, stable machine codes."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

log = logging.getLogger("ar.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://ar-platform.dev/problems/"


class FieldError(BaseModel):
    """One invalid input: where it is (JSON pointer-ish path) and what is wrong."""

    field: str = Field(examples=["items.3.due_date"])
    message: str = Field(examples=["due date is before the issue date"])
    code: str | None = Field(default=None, examples=["due_before_issue"])


class Problem(BaseModel):
    """The body of every error response (RFC 9457 plus a stable `code`)."""

    type: str = Field(examples=[PROBLEM_TYPE_BASE + "validation_error"])
    title: str = Field(examples=["Request is invalid"])
    status: int = Field(examples=[422])
    detail: str | None = Field(default=None, examples=["2 fields are invalid"])
    instance: str | None = Field(default=None, examples=["/v1/invoices"])
    code: str = Field(examples=["validation_error"])
    errors: list[FieldError] = Field(default_factory=list)
    request_id: str | None = None


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document.

    Subclass it with a fixed `status`, `code` and `title`, or pass them per instance.
    """

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title or self.title)
        self.detail = detail
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        if title is not None:
            self.title = title
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class NotFound(ProblemError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(ProblemError):
    status, code, title = 409, "conflict", "Conflict"


class Unprocessable(ProblemError):
    status, code, title = 422, "unprocessable", "Request cannot be processed"


class Unauthorized(ProblemError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(ProblemError):
    status, code, title = 403, "forbidden", "Not allowed"


class PreconditionFailed(ProblemError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    problem = Problem(
        type=PROBLEM_TYPE_BASE + code,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        code=code,
        errors=list(errors),
        request_id=getattr(request.state, "request_id", None),
    )
    body = problem.model_dump(exclude_none=True)
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)


def _field_path(loc: Sequence[int | str]) -> str:
    # drop the "body"/"query" prefix FastAPI adds: clients think in their own field names
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "(root)"


def render_problem(request: Request, exc: ProblemError) -> JSONResponse:
    """The response for a problem raised where no exception handler runs (ASGI middleware)."""
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _problem_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return render_problem(request, exc)


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(field=_field_path(e.get("loc", ())), message=str(e.get("msg", "")), code=e.get("type"))
        for e in exc.errors()
    ]
    noun = "field is" if len(errors) == 1 else "fields are"
    return problem_response(
        request,
        status=422,
        code="validation_error",
        title="Request is invalid",
        detail=f"{len(errors)} {noun} invalid",
        errors=errors,
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


async def _http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status, headers = exc.status_code, dict(exc.headers or {})
    if status == 405:
        allowed = _allowed_methods(request)
        # a template matched, but with parameters no route takes (an id that is no id): nothing here
        status = 405 if allowed else 404
        headers["Allow"] = ", ".join(allowed)
        if not allowed:
            del headers["Allow"]
    code = _HTTP_CODES.get(status, "http_error")
    return problem_response(
        request,
        status=status,
        code=code,
        title=code.replace("_", " ").capitalize(),
        detail=str(exc.detail) if exc.detail and status == exc.status_code else None,
        headers=headers,
    )


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (the router names only the first that matched).

    A route counts only when its path parameters are valid: `/v1/invoices/bulk` fits the template
    `/v1/invoices/{invoice_id}`, but "bulk" is no invoice id, so GET is not offered there.
    """
    path = request.scope["path"]
    allowed: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        if not route.path or not route.methods:
            continue
        regex, _, convertors = _compiled(route.path)
        found = regex.match(path)
        if found is None:
            continue
        values = {name: convertors[name].convert(value) for name, value in found.groupdict().items()}
        original = route.original_route
        if isinstance(original, APIRoute) and any(
            field.validate(values.get(field.alias), loc=("path",))[1]
            for field in original.dependant.path_params
        ):
            continue
        allowed |= route.methods
    return [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in allowed]


_compiled = lru_cache(maxsize=512)(compile_path)


# SQLSTATE numeric_value_out_of_range: a write would take a running balance past BIGINT. Single
# amounts are limited far below that (ar_shared.money.MAX_AMOUNT_MINOR) and reports add up in
# NUMERIC, so only a write meets it, and the request edge has rolled it back whole.
_OUT_OF_RANGE = "22003"


def _is_out_of_range(exc: BaseException) -> bool:
    # asyncpg's error, or SQLAlchemy's wrapper of it (`orig`, whose cause is asyncpg's)
    orig = getattr(exc, "orig", None)
    return any(
        getattr(e, "sqlstate", None) == _OUT_OF_RANGE for e in (exc, orig, getattr(orig, "__cause__", None))
    )


async def _database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    if not _is_out_of_range(exc):
        raise exc  # a server error: the unhandled-error handler logs it and answers 500
    return problem_response(
        request,
        status=422,
        code="amount_out_of_range",
        title="Request cannot be processed",
        detail="a balance would pass the largest amount the platform keeps "
        f"(±{2**63 - 1} minor units); nothing was written",
    )


async def _unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    # the traceback goes to the log; the client gets no internals, only the request id
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="An unexpected error occurred; quote the request id when reporting it.",
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as application/problem+json."""
    app.add_exception_handler(ProblemError, _problem_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(DBAPIError, _database_error_handler)
    app.add_exception_handler(asyncpg.PostgresError, _database_error_handler)
    app.add_exception_handler(Exception, _unhandled_handler)


_PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}

PROBLEM_RESPONSES: dict[int, dict[str, Any]] = {
    status: {"content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}}, "description": desc}
    for status, desc in {
        400: "Bad request (e.g. a cursor or header this API did not issue)",
        401: "Missing or invalid bearer token",
        403: "Token lacks the required scope",
        404: "Not found",
        409: "Conflict with the current state (e.g. the same Idempotency-Key is still being processed)",
        412: "`If-Match` names a version that is no longer current",
        413: "Request body too large",
        415: "Request body is not JSON (`Content-Type: application/json`)",
        422: "Invalid input; `errors` lists each field",
    }.items()
}
"""Problem answers by status, as OpenAPI documents them (`ar_shared.routing` picks per route)."""


def document_problems(openapi: dict[str, Any]) -> dict[str, Any]:
    """Adds the Problem schema to an OpenAPI document; every 4xx answer becomes problem+json only.

    FastAPI files a response `model` under the route's own media type (`application/json`), and
    references only the schemas it saw in a `model`: both are put right here, once.
    """
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas["Problem"] = schema
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if str(status).startswith("4"):
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}}
    return openapi
