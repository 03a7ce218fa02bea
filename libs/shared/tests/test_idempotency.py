"""Idempotency-Key semantics on a real route and a real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Response
from pydantic import BaseModel, SecretStr
from sqlalchemy import insert

from ar_shared.app import create_service_app
from ar_shared.auth import Principal, require_scopes
from ar_shared.db import DbSession
from ar_shared.routing import ServiceRoute
from ar_shared.settings import ServiceSettings
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.schemas import ServiceSchema
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration


class NoteIn(BaseModel):
    text: str


class NoteOut(BaseModel):
    id: int
    text: str


def notes_app(stack: Stack, schema: ServiceSchema, gate: asyncio.Event) -> tuple[FastAPI, ServiceSettings]:
    settings = ServiceSettings(
        service_name="idem",
        environment="test",
        database_url=SecretStr(stack.admin_url),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )
    router = APIRouter(route_class=ServiceRoute)

    @router.post("/v1/notes", status_code=201)
    async def create_note(
        body: NoteIn,
        session: DbSession,
        _: Annotated[Principal, Depends(require_scopes("notes:write"))],
    ) -> NoteOut:
        if body.text == "slow":
            await gate.wait()
        if body.text == "boom":
            raise RuntimeError("handler failed")
        new_id = (
            await session.execute(insert(schema.effects).values(key=body.text).returning(schema.effects.c.id))
        ).scalar_one()
        return NoteOut(id=new_id, text=body.text)

    @router.post("/v1/pins", status_code=204)
    async def pin(
        body: NoteIn,
        session: DbSession,
        _: Annotated[Principal, Depends(require_scopes("notes:write"))],
    ) -> Response:
        await session.execute(insert(schema.effects).values(key=body.text))
        return Response(status_code=204, headers={"X-Pinned": body.text})

    app = create_service_app(
        settings, title="t", description="t", plumbing=schema.tables, routers=[router], clock=TEST_CLOCK
    )
    return app, settings


@pytest.fixture
async def app_and_headers(
    stack: Stack, producer_schema: ServiceSchema
) -> AsyncIterator[tuple[FastAPI, dict[str, str], asyncio.Event]]:
    gate = asyncio.Event()
    app, settings = notes_app(stack, producer_schema, gate)
    # committed transactions: concurrency needs two real ones
    async with running(app, rollback=False):
        yield app, bearer(settings.auth, "notes:write"), gate


async def test_same_key_and_body_replays_the_first_response(
    app_and_headers: tuple[FastAPI, dict[str, str], asyncio.Event], producer_schema: ServiceSchema
) -> None:
    app, headers, _ = app_and_headers
    async with client_for(app) as client:
        h = headers | {"Idempotency-Key": "k-1"}
        first = await client.post("/v1/notes", json={"text": "hello"}, headers=h)
        again = await client.post(
            "/v1/notes", content=b'{ "text" :  "hello" }', headers=h | {"content-type": "application/json"}
        )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await producer_schema.effect_count("hello") == 1


async def test_same_key_with_another_body_is_refused(
    app_and_headers: tuple[FastAPI, dict[str, str], asyncio.Event], producer_schema: ServiceSchema
) -> None:
    app, headers, _ = app_and_headers
    async with client_for(app) as client:
        h = headers | {"Idempotency-Key": "k-2"}
        await client.post("/v1/notes", json={"text": "one"}, headers=h)
        other = await client.post("/v1/notes", json={"text": "two"}, headers=h)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency_key_reused"
    assert await producer_schema.effect_count("two") == 0


async def test_duplicate_while_the_first_is_in_flight_gets_409(
    app_and_headers: tuple[FastAPI, dict[str, str], asyncio.Event], producer_schema: ServiceSchema
) -> None:
    app, headers, gate = app_and_headers
    async with client_for(app) as client:
        h = headers | {"Idempotency-Key": "k-3"}
        first = asyncio.create_task(client.post("/v1/notes", json={"text": "slow"}, headers=h))
        await asyncio.sleep(0.5)  # the first request now holds the key
        duplicate = await client.post("/v1/notes", json={"text": "slow"}, headers=h)
        gate.set()
        done = await first
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "idempotency_key_in_flight"
    assert done.status_code == 201
    assert await producer_schema.effect_count("slow") == 1


async def test_a_failed_request_leaves_the_key_free_for_a_retry(
    app_and_headers: tuple[FastAPI, dict[str, str], asyncio.Event], producer_schema: ServiceSchema
) -> None:
    app, headers, _ = app_and_headers
    async with client_for(app) as client:
        h = headers | {"Idempotency-Key": "k-4"}
        failed = await client.post("/v1/notes", json={"text": "boom"}, headers=h)
        assert failed.status_code == 500
        assert failed.json()["code"] == "internal_error"
        retried = await client.post("/v1/notes", json={"text": "boom"}, headers=h)
    assert retried.status_code == 500  # still failing, but processed again rather than 409/422


async def test_requests_without_a_key_are_not_deduplicated(
    app_and_headers: tuple[FastAPI, dict[str, str], asyncio.Event], producer_schema: ServiceSchema
) -> None:
    app, headers, _ = app_and_headers
    async with client_for(app) as client:
        for _ in range(2):
            assert (await client.post("/v1/notes", json={"text": "free"}, headers=headers)).status_code == 201
    assert await producer_schema.effect_count("free") == 2


async def test_keys_are_per_caller(
    app_and_headers: tuple[FastAPI, dict[str, str], asyncio.Event], producer_schema: ServiceSchema
) -> None:
    app, _, _ = app_and_headers
    settings: ServiceSettings = app.state.settings
    async with client_for(app) as client:
        for subject in ("erp-a", "erp-b"):
            h = bearer(settings.auth, "notes:write", subject=subject) | {"Idempotency-Key": "shared"}
            assert (await client.post("/v1/notes", json={"text": "per-caller"}, headers=h)).status_code == 201
    assert await producer_schema.effect_count("per-caller") == 2


async def test_an_answer_without_a_body_is_replayed_with_its_headers(
    app_and_headers: tuple[FastAPI, dict[str, str], asyncio.Event], producer_schema: ServiceSchema
) -> None:
    app, headers, _ = app_and_headers
    async with client_for(app) as client:
        h = headers | {"Idempotency-Key": "k-pin"}
        first = await client.post("/v1/pins", json={"text": "pinned"}, headers=h)
        again = await client.post("/v1/pins", json={"text": "pinned"}, headers=h)
    assert first.status_code == again.status_code == 204
    assert again.content == b""
    assert (again.headers["x-pinned"], again.headers["idempotent-replayed"]) == ("pinned", "true")
    assert await producer_schema.effect_count("pinned") == 1


def test_a_router_built_without_the_service_route_is_refused(
    stack: Stack, producer_schema: ServiceSchema
) -> None:
    plain = APIRouter()

    @plain.post("/v1/forgetful")
    async def forgetful() -> None:
        """A POST that would take no Idempotency-Key."""

    settings = ServiceSettings(
        service_name="idem", environment="test", database_url=SecretStr(stack.admin_url)
    )
    with pytest.raises(TypeError, match=r"POST.*/v1/forgetful is not a ServiceRoute"):
        create_service_app(
            settings, title="t", description="t", plumbing=producer_schema.tables, routers=[plain]
        )
