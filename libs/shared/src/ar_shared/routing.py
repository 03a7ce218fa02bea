"""The route class of every service: POSTs retry-safe by `Idempotency-Key`, problem answers documented.

Every router of a service is `APIRouter(route_class=ServiceRoute, ...)`, and `create_service_app`
refuses a route built otherwise, so nobody can add a POST that forgets either convention:

- a POST takes `Idempotency-Key` (`ar_shared.idempotency`): the guard runs before the endpoint,
  and the response the endpoint rendered is stored under the key in the request's own
  transaction. Only a POST that changes nothing (a preview) opts out, with `@changes_nothing`.
- a query parameter the route does not take is refused with 400 `unknown_query_parameter` before
  anything runs: a misspelt filter (`?customer=` for `?customer_id=`) would otherwise be ignored
  and the answer would silently cover everyone.
- the OpenAPI document lists each problem status the route can answer, read from its shape:
  401/403 from its auth dependencies, 400 always (unknown query parameters), 404/422 when it
  takes input, 409 on writes, 412 with `If-Match`, 413/415 when it reads a body.

A write whose inputs are only a caller with scopes, path parameters, one JSON body and the session
is served by its direct handler (`ar_shared.direct_writes`), found from the route's shape when it
is built: the same steps without FastAPI's dependency solver, and the declared route for anything
it does not handle exactly so.

A read-only route as hot as the credit check may also have a `@fast_path`: a coroutine tried
first on each request that answers the common, well-formed case without FastAPI's dependency
machinery, or returns None, and then the route runs as declared. Everything it does not answer
(a bad or missing parameter, an unknown one, a caller without the scope) gets the declared
route's own problem documents, so the two cannot disagree on what is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from fastapi import Depends, Request, Response, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from ar_shared.auth import authenticate
from ar_shared.direct_writes import direct_write
from ar_shared.idempotency import idempotency_guard, remember_response
from ar_shared.problems import PROBLEM_RESPONSES, FieldError, ProblemError

F = TypeVar("F", bound=Callable[..., Any])
FastPath = Callable[[Request], Coroutine[Any, Any, Response | None]]
_CHANGES_NOTHING = "__ar_changes_nothing__"
_FAST_PATH = "__ar_fast_path__"
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def changes_nothing(endpoint: F) -> F:
    """Marks a POST that only computes an answer (nothing stored or sent): it takes no key."""
    setattr(endpoint, _CHANGES_NOTHING, True)
    return endpoint


def fast_path(answer: FastPath) -> Callable[[F], F]:
    """Tries `answer(request)` before the endpoint's dependencies are solved; None: the endpoint
    runs as declared. For read-only routes (a write would skip `Idempotency-Key`). `answer` must
    return None for anything it does not check exactly as the declared route does."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, _FAST_PATH, answer)
        return endpoint

    return mark


class UnknownQueryParameters(ProblemError):
    status, code, title = 400, "unknown_query_parameter", "Unknown query parameter"

    def __init__(self, unknown: list[str], known: frozenset[str]) -> None:
        takes = f"it takes {', '.join(sorted(known))}" if known else "it takes none"
        super().__init__(
            f"this route does not take {', '.join(unknown)}; {takes}",
            errors=[
                FieldError(field=name, message="not a parameter of this route", code=self.code)
                for name in unknown
            ],
        )


class ServiceRoute(APIRoute):
    idempotent: bool
    query_parameters: frozenset[str]
    fast_path: FastPath | None

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        self.idempotent = "POST" in methods and not getattr(endpoint, _CHANGES_NOTHING, False)
        self.fast_path = getattr(endpoint, _FAST_PATH, None)
        if self.fast_path is not None and methods & _WRITES:
            raise TypeError(f"{sorted(methods)} {path}: a fast path is for read-only routes")
        if self.idempotent:
            dependencies: Sequence[params.Depends] = kwargs.get("dependencies") or ()
            kwargs["dependencies"] = [Depends(idempotency_guard), *dependencies]
        super().__init__(path, endpoint, **kwargs)
        declared = self.responses
        self.responses = {s: dict(PROBLEM_RESPONSES[s]) for s in _problem_statuses(self, methods)}
        for status, response in declared.items():
            self.responses[status] = {**self.responses.get(status, {}), **response}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        # called by APIRoute.__init__ once the dependant is built
        self.query_parameters = known = _query_parameters(self.dependant)
        idempotent = self.idempotent
        fast = self.fast_path
        direct = direct_write(self) if idempotent else None

        async def checked_handler(request: Request) -> Response:
            if fast is not None and (answer := await fast(request)) is not None:
                return answer
            # before any dependency: nothing is authorised, read or locked for a request refused here
            unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in known]
            if unknown:
                raise UnknownQueryParameters(unknown, known)
            if direct is not None and (answer := await direct(request)) is not None:
                return answer  # its key was stored in its own transaction
            response = await handler(request)
            if idempotent:
                # still inside the request's transaction: the key commits with the change, or neither
                await remember_response(request, response)
            return response

        return checked_handler


def _query_parameters(dependant: Dependant) -> frozenset[str]:
    """Every query parameter name the route or its dependencies read (a query model: its fields)."""
    names: set[str] = set()

    def walk(current: Dependant) -> None:
        for field in current.query_params:
            annotation = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names.update(f.alias or name for name, f in annotation.model_fields.items())
            else:
                names.add(field.alias)
        for sub in current.dependencies:
            walk(sub)

    walk(dependant)
    return frozenset(names)


def _problem_statuses(route: APIRoute, methods: set[str]) -> list[int]:
    calls: set[Any] = set()
    params_seen = False
    if_match = False

    def walk(dependant: Dependant) -> None:
        nonlocal params_seen, if_match
        calls.add(dependant.call)
        headers = [p for p in dependant.header_params if p.alias.lower() != "authorization"]
        if dependant.path_params or dependant.query_params or headers or dependant.body_params:
            params_seen = True
        if_match = if_match or any(p.alias.lower() == "if-match" for p in headers)
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    statuses: list[int] = []
    if authenticate in calls:
        statuses.append(401)
        if any(getattr(call, "required_scopes", None) for call in calls):
            statuses.append(403)
    statuses.append(400)  # an unknown query parameter, on every route
    if params_seen:
        statuses += [404, 422]
    if methods & _WRITES:
        statuses.append(409)
    if if_match:
        statuses.append(412)
    if route.body_field is not None:
        statuses += [413, 415]
    return sorted(set(statuses))
