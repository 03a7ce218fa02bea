"""A promise to pay judged from what the ledger really records, over the real Kafka broker: the
ledger's services post the documents, its relay publishes the events, the collections consumer
applies them. A payment keeps the promise, its reversal (a bounced cheque) reopens it, and the
ledger's business date moved past the tolerance breaks it on the first day after.

A scratch database of its own (the ledger's relay publishes all it holds). The entity's business
date is set by hand, from the tests' clock: dates are compared with each other only.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from ar_collections.config import CollectionsSettings
from ar_collections.consumers import handlers as collections_handlers
from ar_collections.main import create_app as collections_app
from ar_collections.models import plumbing as collections_plumbing
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as ledger_app
from ar_ledger.models import plumbing as ledger_plumbing
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.db import migrate
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import REPO_ROOT, Stack, scratch_database

pytestmark = pytest.mark.integration

# a day ahead of the tests' clock, so the ledger never finds the date behind its calendar
D = TEST_CLOCK.now().astimezone(UTC).date() + timedelta(days=1)
ENTITY = "PT01"


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@dataclass
class Platform:
    ledger: httpx.AsyncClient
    collections: httpx.AsyncClient
    ledger_headers: dict[str, str]
    collections_headers: dict[str, str]
    relay: OutboxRelay
    runner: ConsumerRunner
    published: int = 0
    consumed: int = 0

    async def pump(self) -> None:
        """Publishes what the ledger wrote and waits until collections applied all of it."""
        self.published += await self.relay.drain()
        async with asyncio.timeout(90):
            while self.consumed < self.published:
                self.consumed += await self.runner.poll_once(timeout_ms=200)

    async def ledger_post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.ledger.post(path, json=body, headers=self.ledger_headers)
        assert response.status_code in {200, 201}, response.text
        return dict(response.json())

    async def set_date(self, on: Any) -> None:
        response = await self.ledger.put(
            f"/v1/business-dates/{ENTITY}",
            json={"business_date": on.isoformat(), "time_zone": "UTC"},
            headers=self.ledger_headers,
        )
        assert response.status_code == 200, response.text
        await self.pump()


@pytest.fixture
async def platform(stack: Stack) -> AsyncIterator[Platform]:
    async with scratch_database(stack, "promises") as scratch:
        for service in ("ledger", "collections"):
            await migrate(REPO_ROOT / "services" / service, scratch.url(service, "owner"))
        prefix = f"pt{uuid.uuid4().hex[:10]}."
        common: dict[str, Any] = {
            "environment": "test",
            "kafka_bootstrap_servers": scratch.kafka_bootstrap,
            "kafka_topic_prefix": prefix,
        }
        ledger_settings = LedgerSettings(database_url=SecretStr(scratch.url("ledger", "app")), **common)
        settings_ = CollectionsSettings(database_url=SecretStr(scratch.url("collections", "app")), **common)
        producer = build_producer(scratch.kafka_bootstrap, "ar-promises-test")
        await producer.start()
        try:
            async with (
                running(ledger_app(ledger_settings, TEST_CLOCK), rollback=False) as ledger,
                running(collections_app(settings_, TEST_CLOCK), rollback=False) as collections,
                client_for(ledger) as lc,
                client_for(collections) as cc,
            ):
                relay = OutboxRelay(
                    ledger.state.engine,
                    ledger_plumbing,
                    producer,
                    asyncpg_dsn(scratch.url("ledger", "app")),
                    RelaySettings(topic_prefix=prefix),
                )
                runner = ConsumerRunner(
                    ConsumerSettings(
                        group_id=f"collections-{prefix}",
                        bootstrap_servers=scratch.kafka_bootstrap,
                        topic_prefix=prefix,
                    ),
                    collections_handlers,
                    collections.state.sessionmaker,
                    collections_plumbing,
                    producer,
                    TEST_CLOCK,
                )
                await runner.start()
                try:
                    yield Platform(
                        lc,
                        cc,
                        bearer(ledger_settings.auth, "ledger:write", "ledger:read", "admin"),
                        bearer(settings_.auth, "collections:manage", "collections:work", subject="boss"),
                        relay,
                        runner,
                    )
                finally:
                    await runner.stop()
        finally:
            await producer.stop()


async def test_a_promise_is_kept_by_a_ledger_payment_reopened_by_its_reversal_and_broken_after_its_tolerance(
    platform: Platform,
) -> None:
    await platform.set_date(D)
    response = await platform.ledger.put(
        "/v1/customers/external/PT-1",
        json={
            "name": "Promising Ltd",
            "currency": "EUR",
            "payment_terms_days": 30,
            "business_entity": ENTITY,
            "contact_email": "ap@promising.example",
        },
        headers=platform.ledger_headers,
    )
    assert response.status_code in {200, 201}, response.text
    customer = response.json()["id"]
    invoice = await platform.ledger_post(
        "/v1/invoices",
        {
            "customer_external_id": "PT-1",
            "invoice_number": "PT-INV-1",
            "issue_date": (D - timedelta(days=40)).isoformat(),
            "amount": eur("480.00"),
        },
    )
    await platform.pump()

    recorded = await platform.collections.post(
        f"/v1/accounts/{customer}/promises",
        json={
            "amount": eur("480.00"),
            "promised_date": (D + timedelta(days=1)).isoformat(),
            "tolerance_days": 1,
            "channel": "call",
        },
        headers=platform.collections_headers,
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["invoice_ids"] == [invoice["id"]]
    path = f"/v1/accounts/{customer}/promises/{recorded.json()['id']}"

    async def status() -> tuple[str, str]:
        body = (await platform.collections.get(path, headers=platform.collections_headers)).json()
        return body["status"], body["received"]["amount"]

    payment = await platform.ledger_post(
        "/v1/payments",
        {"customer_external_id": "PT-1", "amount": eur("480.00"), "received_on": D.isoformat()},
    )
    await platform.pump()
    assert await status() == ("kept", "480.00")

    await platform.ledger_post(f"/v1/payments/{payment['id']}/reverse", {"reversed_on": D.isoformat()})
    await platform.pump()
    assert await status() == ("open", "0.00")

    await platform.set_date(D + timedelta(days=2))  # the deadline: still open
    assert await status() == ("open", "0.00")
    await platform.set_date(D + timedelta(days=3))
    assert await status() == ("broken", "0.00")
