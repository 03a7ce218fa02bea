"""The direct handler of simple write routes answers exactly as the declared route would."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Body, Depends, FastAPI, Form, Request
from fastapi import routing as fastapi_routing
from pydantic import BaseModel, Field, SecretStr
from sqlalchemy import insert

from ar_shared.app import create_service_app
from ar_shared.auth import Principal, require_scopes
from ar_shared.db import DbSession
from ar_shared.direct_writes import direct_write
from ar_shared.problems import Unprocessable
from ar_shared.routing import ServiceRoute
from ar_shared.settings import ServiceSettings
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.schemas import ServiceSchema
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

Callers = dict[str, dict[str, str]]  # the headers of a writer and of a reader
Writer = Annotated[Principal, Depends(require_scopes("notes:write"))]


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=20)
    pages: int = 1


class NoteOut(BaseModel):
    id: int
    text: str
    pages: int
    by: str


def notes_router(schema: ServiceSchema) -> APIRouter:
    router = APIRouter(route_class=ServiceRoute)

    @router.post("/v1/notes", status_code=201)
    async def create_note(principal: Writer, body: NoteIn, session: DbSession) -> NoteOut:
        if body.text == "refused":
            raise Unprocessable("this note is refused", code="note_refused")
        new_id = (
            await session.execute(insert(schema.effects).values(key=body.text).returning(schema.effects.c.id))
        ).scalar_one()
        if body.text == "boom":
            raise RuntimeError("the note failed after it was written")
        return NoteOut(id=new_id, text=body.text, pages=body.pages, by=principal.subject)

    @router.post("/v1/notes/{note_id}/copies", status_code=201)
    async def copy_note(principal: Writer, note_id: uuid.UUID, body: NoteIn, session: DbSession) -> NoteOut:
        return await create_note(
            principal, body.model_copy(update={"text": f"{body.text} {note_id}"[:20]}), session
        )

    @router.post("/v1/notes/embedded", status_code=201)
    async def embedded(
        principal: Writer, note: Annotated[NoteIn, Body(embed=True)], session: DbSession
    ) -> NoteOut:
        return await create_note(principal, note, session)

    @router.post("/v1/notes/form", status_code=201)
    async def form(_: Writer, body: Annotated[NoteIn, Form()], session: DbSession) -> NoteOut:
        raise AssertionError("not called")

    @router.post("/v1/notes/search", status_code=201)
    async def search(_: Writer, body: NoteIn, session: DbSession, text: str | None = None) -> NoteOut:
        raise AssertionError("not called")

    @router.post("/v1/echo", status_code=201)
    async def echo(_: Writer, body: NoteIn, session: DbSession, request: Request) -> NoteOut:
        raise AssertionError("not called")

    return router


def notes_app(stack: Stack, schema: ServiceSchema) -> tuple[FastAPI, ServiceSettings]:
    settings = ServiceSettings(
        service_name="direct",
        environment="test",
        database_url=SecretStr(stack.admin_url),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )
    app = create_service_app(
        settings,
        title="t",
        description="t",
        plumbing=schema.tables,
        routers=[notes_router(schema)],
        clock=TEST_CLOCK,
    )
    return app, settings


def routes_of(schema: ServiceSchema) -> dict[str, ServiceRoute]:
    return {r.path: r for r in notes_router(schema).routes if isinstance(r, ServiceRoute)}


def test_only_a_caller_a_body_and_the_session_make_a_direct_write(producer_schema: ServiceSchema) -> None:
    routes = routes_of(producer_schema)
    assert direct_write(routes["/v1/notes"]) is not None
    assert direct_write(routes["/v1/notes/{note_id}/copies"]) is not None  # path parameters too
    assert direct_write(routes["/v1/notes/embedded"]) is not None  # read as FastAPI reads it
    assert direct_write(routes["/v1/notes/search"]) is None  # a query parameter
    assert direct_write(routes["/v1/notes/form"]) is None  # a form
    assert direct_write(routes["/v1/echo"]) is None  # the request itself


@pytest.fixture
def solver_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths FastAPI's dependency solver ran for (the declared route, not the direct one)."""
    calls: list[str] = []
    solve = fastapi_routing.solve_dependencies  # type: ignore[attr-defined]  # what routing calls

    async def counted(*, request: Any, **kwargs: Any) -> Any:
        calls.append(request.url.path)
        return await solve(request=request, **kwargs)

    monkeypatch.setattr(fastapi_routing, "solve_dependencies", counted)
    return calls


def _never_used() -> None:
    """A dependency no route takes: overriding it changes nothing but turns direct writes off."""


@pytest.fixture
async def both_apps(
    stack: Stack, producer_schema: ServiceSchema
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, Callers]]:
    """The same app twice: with direct writes, and with every request on the declared route (an app
    with dependency overrides never takes a direct write)."""
    direct, settings = notes_app(stack, producer_schema)
    declared, _ = notes_app(stack, producer_schema)
    declared.dependency_overrides[_never_used] = _never_used
    async with (
        running(direct, rollback=False),
        running(declared, rollback=False),
        client_for(direct) as d,
        client_for(declared) as c,
    ):
        yield (
            d,
            c,
            {
                "writer": bearer(settings.auth, "notes:write", subject="erp"),
                "reader": bearer(settings.auth, "notes:read"),
                "forger": {"Authorization": "Bearer not-a-token"},
            },
        )


def comparable(response: httpx.Response) -> tuple[int, str, Any, str | None]:
    body: Any = response.json() if response.content else None
    if isinstance(body, dict):
        body.pop("id", None)  # a new row each time
        body.pop("request_id", None)  # problem documents name the request
    return (
        response.status_code,
        response.headers["content-type"],
        body,
        response.headers.get("www-authenticate"),
    )


JSON = {"content-type": "application/json"}
PLUS_JSON = {"content-type": "application/x+json"}
# (case, who sends it: a caller of `Callers` or none, the request)
CASES: list[tuple[str, str | None, dict[str, Any]]] = [
    ("valid", "writer", {"json": {"text": "hello", "pages": 3}}),
    ("valid, charset", "writer", {
        "content": b'{"text": "caf\xc3\xa9"}', "headers": {"content-type": "application/json; charset=utf-8"}
    }),
    ("no token", None, {"json": {"text": "hello"}}),
    ("invalid token", "forger", {"json": {"text": "hello"}}),
    ("without the scope", "reader", {"json": {"text": "hello"}}),
    ("invalid body", "writer", {"json": {"text": "", "pages": "many"}}),
    ("body not JSON", "writer", {"content": b"{text", "headers": JSON}),
    ("body not UTF-8", "writer", {"content": b'{"text": "\xff"}', "headers": JSON}),
    ("JSON not an object", "writer", {"json": [1, 2]}),
    ("empty body", "writer", {"content": b"", "headers": JSON}),
    ("no content type", "writer", {"content": b'{"text": "bare"}'}),
    ("a +json content type", "writer", {"content": b'{"text": "x"}', "headers": PLUS_JSON}),
    ("body over the cap", "writer", {"content": b'{"text": "' + b"x" * 2**21 + b'"}', "headers": JSON}),
    ("form body", "writer", {"data": {"text": "hello"}}),
    ("refused by the endpoint", "writer", {"json": {"text": "refused"}}),
    ("failing after a write", "writer", {"json": {"text": "boom"}}),
    ("unknown query parameter", "writer", {"json": {"text": "hello"}, "params": {"x": "1"}}),
    ("an embedded body", "writer", {"json": {"note": {"text": "inside", "pages": 2}}}),
]  # fmt: skip


NOTE = "5f0c6f1e-3c1b-4c38-9d43-1f0f2b1d9a77"
PATHS = [
    "/v1/notes",
    f"/v1/notes/{NOTE}/copies",
    "/v1/notes/not-an-id/copies",
    f"/v1/notes/{NOTE.upper()}/copies",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("who", "request_"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_every_answer_is_the_declared_routes_answer(
    both_apps: tuple[httpx.AsyncClient, httpx.AsyncClient, Callers],
    path: str,
    who: str | None,
    request_: dict[str, Any],
) -> None:
    direct, declared, callers = both_apps
    sent = {**request_, "headers": callers.get(who or "", {}) | request_.get("headers", {})}
    assert comparable(await direct.post(path, **sent)) == comparable(await declared.post(path, **sent))


async def test_the_common_case_skips_the_solver_and_refusals_take_the_declared_route(
    both_apps: tuple[httpx.AsyncClient, httpx.AsyncClient, Callers], solver_calls: list[str]
) -> None:
    direct, declared, callers = both_apps
    headers = callers["writer"]
    assert (await declared.post("/v1/notes", json={"text": "declared"}, headers=headers)).status_code == 201
    assert solver_calls == ["/v1/notes"]  # the app with overrides: the declared route
    solver_calls.clear()
    ok = await direct.post("/v1/notes", json={"text": "fast"}, headers=headers)
    assert ok.status_code == 201
    assert ok.json()["by"] == "erp"
    assert solver_calls == []
    invalid = await direct.post("/v1/notes", json={"text": ""}, headers=headers)
    assert invalid.status_code == 422
    assert solver_calls == ["/v1/notes"]


async def test_a_failure_after_the_write_leaves_nothing_and_the_key_free(
    both_apps: tuple[httpx.AsyncClient, httpx.AsyncClient, Callers], producer_schema: ServiceSchema
) -> None:
    direct, _, callers = both_apps
    keyed = callers["writer"] | {"Idempotency-Key": "direct-boom"}
    failed = await direct.post("/v1/notes", json={"text": "boom"}, headers=keyed)
    assert failed.status_code == 500
    assert await producer_schema.effect_count("boom") == 0
    # the key was not stored with the failed request: the same key is free for a new body
    retried = await direct.post("/v1/notes", json={"text": "after"}, headers=keyed)
    assert retried.status_code == 201
    replayed = await direct.post("/v1/notes", json={"text": "after"}, headers=keyed)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == retried.json()
    assert await producer_schema.effect_count("after") == 1
