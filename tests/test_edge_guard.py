"""What every service refuses before it reads a body: no token (401), a body over its route's cap
(413), a body that is not JSON (415); and `/metrics` only for the metrics scope."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from ar_collections.config import CollectionsSettings
from ar_collections.main import create_app as collections_app
from ar_credit.config import CreditSettings
from ar_credit.main import create_app as credit_app
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as ledger_app
from ar_notifications.config import NotificationsSettings
from ar_notifications.main import create_app as notifications_app
from ar_shared.app import METRICS_SCOPE
from ar_shared.clock import Clock
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

SERVICES: dict[str, tuple[type[Any], Callable[[Any, Clock], FastAPI]]] = {
    "ledger": (LedgerSettings, ledger_app),
    "credit": (CreditSettings, credit_app),
    "collections": (CollectionsSettings, collections_app),
    "notifications": (NotificationsSettings, notifications_app),
}

# one route per service that takes a JSON body
BODY_ROUTES = {
    "ledger": "/v1/invoices",
    "credit": "/v1/holds",
    "collections": "/v1/accounts/8d6f4c2e-3f1a-4c59-9a57-0b7f1f2b9e10/activities",
    "notifications": "/v1/templates",
}
CHUNK = 64 * 1024


class Body:
    """A request body streamed in chunks that counts how many the server pulled."""

    def __init__(self, total: int, chunk: bytes = b"x" * CHUNK) -> None:
        self.total, self.chunk, self.pulled = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.total:
            self.pulled += 1
            sent += len(self.chunk)
            yield self.chunk


def build(service: str, stack: Stack, **overrides: Any) -> FastAPI:
    settings_cls, factory = SERVICES[service]
    settings = settings_cls(
        environment="test",
        database_url=SecretStr(stack.url(service, "app")),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        **overrides,
    )
    return factory(settings, TEST_CLOCK)


def admin(app: FastAPI) -> dict[str, str]:
    return bearer(app.state.settings.auth, "admin", clock=app.state.clock)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    return body


@pytest.mark.parametrize("service", SERVICES)
async def test_an_anonymous_request_is_refused_before_its_body_is_read(
    service: str, stack: Stack, all_schemas: None
) -> None:
    body = Body(20 * 1024 * 1024)
    async with running(build(service, stack), rollback=False) as app, client_for(app) as client:
        response = await client.post(
            BODY_ROUTES[service], content=body, headers={"content-type": "application/json"}
        )
        garbage = await client.post(
            BODY_ROUTES[service], content=b"{not json", headers={"content-type": "application/json"}
        )
        forged = await client.post(
            BODY_ROUTES[service],
            content=b"{not json",
            headers={"content-type": "application/json", "authorization": "Bearer not.a.token"},
        )
    assert_problem(response, 401, "missing_token")
    assert response.headers["www-authenticate"] == "Bearer"
    assert body.pulled == 0  # not one chunk of the 20 MB was read
    assert_problem(garbage, 401, "missing_token")  # not 422: nothing was parsed
    assert_problem(forged, 401, "invalid_token")


async def test_a_20_mb_body_without_a_token_is_answered_before_it_is_sent(
    stack: Stack, all_schemas: None
) -> None:
    """Over a real socket: the request head announces 20 MB and no byte of it follows."""
    app = build("ledger", stack)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    head = b"(no answer within 5 s)"
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /v1/invoices HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 20000000\r\n\r\n"
        )
        await writer.drain()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):  # a server waiting for the body would never answer
                head = await reader.readuntil(b"\r\n\r\n")
        writer.close()
    finally:
        server.should_exit = True
        await serving
    assert head.startswith(b"HTTP/1.1 401"), head
    assert b"content-type: application/problem+json" in head.lower()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_body_over_the_cap_is_refused_with_413_while_it_streams(
    service: str, stack: Stack, all_schemas: None
) -> None:
    cap = 256 * 1024
    streamed = Body(20 * 1024 * 1024)  # chunked: no length announced
    app = build(service, stack, max_body_bytes=cap)
    async with running(app, rollback=False), client_for(app) as client:
        too_long = await client.post(
            BODY_ROUTES[service], content=streamed, headers=admin(app) | {"content-type": "application/json"}
        )
        announced = Body(cap + 1, chunk=b"x" * (cap + 1))
        declared = await client.post(
            BODY_ROUTES[service],
            content=announced,
            headers=admin(app) | {"content-type": "application/json", "content-length": str(cap + 1)},
        )
    problem = assert_problem(too_long, 413, "payload_too_large")
    assert str(cap) in problem["detail"]
    assert streamed.pulled == cap // CHUNK + 1  # read up to the chunk that crossed the cap, no further
    assert_problem(declared, 413, "payload_too_large")
    assert announced.pulled == 0  # refused on its Content-Length alone


@pytest.mark.parametrize("service", SERVICES)
async def test_a_body_that_is_not_json_gets_415(service: str, stack: Stack, all_schemas: None) -> None:
    async with running(build(service, stack)) as app, client_for(app) as client:
        headers = admin(app)
        as_text = await client.post(
            BODY_ROUTES[service], content=b'{"a": 1}', headers=headers | {"content-type": "text/plain"}
        )
        form = await client.post(BODY_ROUTES[service], data={"a": "1"}, headers=headers)
        unlabelled = await client.post(BODY_ROUTES[service], content=b'{"a": 1}', headers=headers)
        labelled = await client.post(
            BODY_ROUTES[service],
            content=b'{"a": 1}',
            headers=headers | {"content-type": "application/json; charset=utf-8"},
        )
    for refused in (as_text, form, unlabelled):
        assert_problem(refused, 415, "unsupported_media_type")
    assert labelled.status_code == 422  # JSON, read and validated: the fields are wrong


async def test_the_bulk_route_takes_the_largest_bulk_request_and_other_routes_do_not(
    stack: Stack, all_schemas: None
) -> None:
    """10,000 invoices with every text field at its longest fit the default bulk cap."""
    item = {
        "customer_external_id": "C" * 100,
        "invoice_number": "I" * 100,
        "issue_date": "2026-01-31",
        "due_date": "2026-03-02",
        "amount": {"amount": "9999999999.99", "currency": "EUR"},
        "order_reference": "O" * 100,
        "po_number": "P" * 100,
    }
    body = json.dumps({"items": [item] * 10_000}, indent=2).encode()
    async with running(build("ledger", stack)) as app, client_for(app) as client:
        settings = app.state.settings
        assert settings.max_body_bytes < len(body) < settings.max_bulk_body_bytes
        headers = admin(app) | {"content-type": "application/json"}
        bulk = await client.post("/v1/invoices/bulk", content=body, headers=headers)
        single = await client.post("/v1/invoices", content=body, headers=headers)
    assert bulk.status_code == 422  # read whole and validated: those customers do not exist
    assert bulk.json()["code"] != "payload_too_large"
    assert_problem(single, 413, "payload_too_large")
    openapi = app.openapi()
    assert openapi["paths"]["/v1/invoices/bulk"]["post"]["x-body-limit"] == "bulk"


@pytest.mark.parametrize("service", SERVICES)
async def test_metrics_need_the_metrics_scope(service: str, stack: Stack, all_schemas: None) -> None:
    async with running(build(service, stack), rollback=False) as app, client_for(app) as client:
        auth, clock = app.state.settings.auth, app.state.clock
        anonymous = await client.get("/metrics")
        other_scope = await client.get("/metrics", headers=bearer(auth, "ledger:read", clock=clock))
        scraper = await client.get("/metrics", headers=bearer(auth, METRICS_SCOPE, clock=clock))
        docs = await client.get("/docs")
        openapi = await client.get("/openapi.json")
    assert_problem(anonymous, 401, "missing_token")
    assert_problem(other_scope, 403, "insufficient_scope")
    assert scraper.status_code == 200
    assert "ar_http_requests_total" in scraper.text
    # documentation stays public (README, "Authentication")
    assert (docs.status_code, openapi.status_code) == (200, 200)


@pytest.mark.parametrize("service", SERVICES)
async def test_an_unknown_v1_route_is_401_without_a_token_and_404_with_one(
    service: str, stack: Stack, all_schemas: None
) -> None:
    async with running(build(service, stack), rollback=False) as app, client_for(app) as client:
        anonymous = await client.get("/v1/no-such-thing")
        known = await client.get("/v1/no-such-thing", headers=admin(app))
    assert_problem(anonymous, 401, "missing_token")  # nothing about /v1 is told without a token
    assert_problem(known, 404, "not_found")
