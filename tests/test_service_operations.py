"""Every service answers the operational endpoints the same way: health, metrics, OpenAPI, errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from ar_collections.config import CollectionsSettings
from ar_collections.main import create_app as collections_app
from ar_credit.config import CreditSettings
from ar_credit.main import create_app as credit_app
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as ledger_app
from ar_notifications.config import NotificationsSettings
from ar_notifications.main import create_app as notifications_app
from ar_shared.app import METRICS_SCOPE
from ar_shared.auth import mint_token
from ar_shared.clock import Clock
from ar_shared.testing.clock import TEST_CLOCK, pinned_clock
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.ports import unused_port
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

SERVICES: dict[str, tuple[type[Any], Callable[[Any, Clock], FastAPI]]] = {
    "ledger": (LedgerSettings, ledger_app),
    "credit": (CreditSettings, credit_app),
    "collections": (CollectionsSettings, collections_app),
    "notifications": (NotificationsSettings, notifications_app),
}


def build(service: str, stack: Stack, clock: Clock = TEST_CLOCK, **overrides: Any) -> FastAPI:
    settings_cls, factory = SERVICES[service]
    settings = settings_cls(
        **{
            "environment": "test",
            "database_url": SecretStr(stack.url(service, "app")),
            "kafka_bootstrap_servers": stack.kafka_bootstrap,
            **overrides,
        }
    )
    return factory(settings, clock)


@pytest.mark.parametrize("service", SERVICES)
async def test_health_metrics_and_docs_are_served(service: str, stack: Stack, all_schemas: None) -> None:
    async with running(build(service, stack), rollback=False) as app, client_for(app) as client:
        assert (await client.get("/health/live")).json() == {"status": "ok"}
        ready = await client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ok",
            "checks": {"database": "ok", "kafka": "ok"},
            "degraded": [],
        }
        metrics = await client.get("/metrics", headers=bearer(app.state.settings.auth, METRICS_SCOPE))
        assert metrics.status_code == 200
        assert (
            f'ar_http_requests_total{{method="GET",route="/health/ready",service="{service}",status="200"}}'
            in metrics.text
        )
        assert (await client.get("/docs")).status_code == 200
        openapi = (await client.get("/openapi.json")).json()
        assert openapi["info"]["title"].lower().endswith(service)


@pytest.mark.parametrize("service", SERVICES)
async def test_unknown_routes_answer_with_a_problem_document(
    service: str, stack: Stack, all_schemas: None
) -> None:
    async with running(build(service, stack), rollback=False) as app, client_for(app) as client:
        response = await client.get("/v1/no-such-thing", headers=bearer(app.state.settings.auth, "admin"))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("service", SERVICES)
async def test_readiness_reports_a_database_that_cannot_be_reached(service: str, stack: Stack) -> None:
    unreachable = SecretStr(f"postgresql+asyncpg://nobody:nothing@127.0.0.1:1/{stack.database}")
    settings_cls, factory = SERVICES[service]
    settings = settings_cls(
        environment="test", database_url=unreachable, kafka_bootstrap_servers=stack.kafka_bootstrap
    )
    async with running(factory(settings, TEST_CLOCK), rollback=False) as app, client_for(app) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["checks"] == {"database": "down", "kafka": "ok"}


@pytest.mark.parametrize("service", SERVICES)
async def test_whoami_names_the_caller_and_its_scopes(service: str, stack: Stack, all_schemas: None) -> None:
    clock = pinned_clock()
    app = build(service, stack, clock)
    async with running(app, rollback=False), client_for(app) as client:
        anonymous = await client.get("/v1/whoami")
        scopes = ["ledger:write", "ledger:read"]
        token = mint_token(app.state.settings.auth, "erp-billing", scopes, ttl_seconds=600, clock=clock)
        me = await client.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "missing_token"
    assert me.status_code == 200
    body = me.json()
    assert (body["subject"], body["scopes"]) == ("erp-billing", ["ledger:read", "ledger:write"])
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires - clock.now() == timedelta(seconds=600)


def broker_down() -> str:
    """Bootstrap servers where no broker listens: Kafka down, while the shared broker keeps running."""
    return f"127.0.0.1:{unused_port()}"


def gauge(metrics: str, name: str, schema: str) -> float:
    found = re.search(rf'^{name}{{schema="{schema}"}} (\S+)$', metrics, re.MULTILINE)
    assert found, f"{name} for {schema} missing from /metrics"
    return float(found.group(1))


@pytest.mark.parametrize("service", SERVICES)
async def test_an_api_stays_ready_and_reports_kafka_degraded_while_the_broker_is_unreachable(
    service: str, stack: Stack, all_schemas: None
) -> None:
    app = build(service, stack, kafka_bootstrap_servers=broker_down())
    async with running(app, rollback=False), client_for(app) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "kafka": "down"},
        "degraded": ["kafka"],
    }


async def test_writes_during_a_kafka_outage_show_as_outbox_backlog_and_its_age_on_metrics(
    stack: Stack, all_schemas: None, admin_engine: AsyncEngine, unique: str
) -> None:
    # no relay runs and the broker is unreachable: the events can only wait in the outbox
    app = build("ledger", stack, kafka_bootstrap_servers=broker_down())
    written: list[str] = []
    async with admin_engine.begin() as conn:
        # earlier tests that ran no relay leave events behind; the oldest of the backlog (by id)
        # must be this test's, so those count as published here
        await conn.execute(text("UPDATE ledger.outbox SET published_at = now() WHERE published_at IS NULL"))
    async with running(app, rollback=False), client_for(app) as client:
        scraper = bearer(app.state.settings.auth, METRICS_SCOPE)
        before = gauge((await client.get("/metrics", headers=scraper)).text, "ar_outbox_backlog", "ledger")
        for n in range(3):
            response = await client.put(
                f"/v1/customers/external/OUTAGE-{unique}-{n}",
                json={
                    "name": f"Outage {n}",
                    "currency": "EUR",
                    "payment_terms_days": 30,
                    "business_entity": "DE01",
                },
                headers=bearer(app.state.settings.auth, "ledger:write"),
            )
            assert response.status_code in (200, 201), response.text
            written.append(response.json()["id"])
        try:
            async with admin_engine.begin() as conn:
                # as if they had waited an hour: the age is measured against the database's clock
                await conn.execute(
                    text(
                        "UPDATE ledger.outbox SET created_at = created_at - interval '1 hour' "
                        "WHERE message_key = ANY(:keys)"
                    ),
                    {"keys": written},
                )
            metrics = (await client.get("/metrics", headers=scraper)).text
            ready = await client.get("/health/ready")
        finally:
            async with admin_engine.begin() as conn:
                await conn.execute(
                    text("DELETE FROM ledger.outbox WHERE message_key = ANY(:keys)"), {"keys": written}
                )
    assert gauge(metrics, "ar_outbox_backlog", "ledger") == before + 3
    assert gauge(metrics, "ar_outbox_oldest_unpublished_age_seconds", "ledger") >= 3600
    assert (ready.status_code, ready.json()["degraded"]) == (200, ["kafka"])
