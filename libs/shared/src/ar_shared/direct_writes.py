"""Direct handling of the simplest write routes: a caller, a JSON body, a session; no dependency solver.

Most POSTs of the platform take exactly a caller with scopes, one JSON body model and the
request's session, sometimes path parameters too (`issue_invoice(principal: Writer, body:
InvoiceCreate, session: DbSession)`, `void_invoice(principal, invoice_id: uuid.UUID, body,
session)`). For those, FastAPI's dependency machinery (the solver, its exit stacks, the edge
guard's principal looked up again through `HTTPBearer`) costs about as much Python as the ledger's
own single-invoice write: docs/benchmarks.md. `ServiceRoute` recognises that shape when the route
is built and then serves the common case directly, doing what the declared route does: the
caller's scopes, the path parameters and the JSON body read by FastAPI's own functions for them
(`request_params_to_args`, `request_body_to_args`), the `Idempotency-Key` guard, the endpoint, the
response rendered by the route's own response field and stored under the key, commit.

Anything else returns None *before anything is read from the database or locked*, and the
declared route runs: a request without the edge guard's principal, a caller without the scope, a
path parameter or a body that does not validate, a body that is not JSON (the edge guard's
`is_json`, FastAPI's rule), an app with dependency overrides. So every refusal (401, 403, 404,
415, 422, ...) is the declared route's own problem document, and the two cannot disagree on what
is refused.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response, params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.routing import APIRoute, serialize_response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_shared.auth import Principal, authenticate
from ar_shared.db import open_request_session, request_session
from ar_shared.idempotency import HEADER, idempotency_guard, open_guard
from ar_shared.request_guard import is_json

_KEY_HEADER = HEADER.lower()


@dataclass(frozen=True, slots=True)
class DirectWrite:
    route: APIRoute
    scopes: tuple[str, ...]
    principal_name: str
    session_name: str
    embed_body: bool

    async def __call__(self, request: Request) -> Response | None:
        principal = request.scope.get("state", {}).get("principal")
        if not isinstance(principal, Principal) or not all(principal.has(s) for s in self.scopes):
            return None
        content_type = request.headers.get("content-type")
        if request.app.dependency_overrides or content_type is None or not is_json(content_type.encode()):
            return None
        route = self.route
        path, errors = request_params_to_args(route.dependant.path_params, request.path_params)
        if errors:
            return None
        try:
            data = await request.json()
        except ValueError:  # not JSON (or not UTF-8): the declared route says how
            return None
        # FastAPI's own reading of the body into the route's parameter (embedded or not)
        bodies, errors = await request_body_to_args(route.dependant.body_params, data, self.embed_body)
        if errors:
            return None
        maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
        async with request_session(maker) as session:
            guard = await open_guard(request, session, principal, request.headers.get(_KEY_HEADER))
            values = {**path, **bodies, self.principal_name: principal, self.session_name: session}
            result = await self.route.endpoint(**values)
            response = result if isinstance(result, Response) else await self._render(result)
            # inside the transaction, as `ServiceRoute` stores it on the declared route
            await guard.remember(response)
        return response

    async def _render(self, result: Any) -> Response:
        route = self.route
        content = await serialize_response(
            field=route.response_field,
            response_content=result,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
            dump_json=True,
        )
        return Response(content, status_code=route.status_code or 200, media_type="application/json")


def direct_write(route: APIRoute) -> DirectWrite | None:
    """The route's direct handler when its inputs are exactly a caller with scopes, path parameters
    if any, one JSON body model and the session (with the `Idempotency-Key` guard `ServiceRoute`
    adds); None otherwise."""
    dependant = route.dependant
    if (
        route.methods != {"POST"}
        or route.response_field is None
        or not isinstance(route.response_class, DefaultPlaceholder)
        or not inspect.iscoroutinefunction(route.endpoint)
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or len(dependant.body_params) != 1
        or _has_special_parameters(dependant)
    ):
        return None
    body = dependant.body_params[0]
    annotation = body.field_info.annotation
    if isinstance(body.field_info, params.Form) or not (
        isinstance(annotation, type) and issubclass(annotation, BaseModel)
    ):
        return None  # a form (or file) body, or not a model
    guards = [d for d in dependant.dependencies if d.call is idempotency_guard and d.name is None]
    named = {d.name: d for d in dependant.dependencies if d.name is not None}
    if len(guards) != 1 or len(named) != 2 or len(dependant.dependencies) != 3:
        return None
    callers = [name for name, d in named.items() if _is_scope_check(d)]
    sessions = [name for name, d in named.items() if d.call is open_request_session]
    if len(callers) != 1 or len(sessions) != 1:
        return None
    scopes: tuple[str, ...] = getattr(named[callers[0]].call, "required_scopes")  # noqa: B009
    embed = getattr(route, "_embed_body_fields", None)  # how FastAPI reads this route's body
    if not isinstance(embed, bool):
        return None
    return DirectWrite(route, scopes, callers[0], sessions[0], embed)


def _is_scope_check(dependant: Dependant) -> bool:
    """`require_scopes(...)`: its only input is the authenticated caller."""
    subs = dependant.dependencies
    return (
        bool(getattr(dependant.call, "required_scopes", None))
        and len(subs) == 1
        and subs[0].call is authenticate
        and not (dependant.path_params or dependant.query_params or dependant.header_params)
        and not (dependant.cookie_params or dependant.body_params)
    )


def _has_special_parameters(dependant: Dependant) -> bool:
    return any(
        getattr(dependant, name, None) is not None
        for name in (
            "request_param_name",
            "websocket_param_name",
            "http_connection_param_name",
            "response_param_name",
            "background_tasks_param_name",
            "security_scopes_param_name",
        )
    )
