"""An event committed by one service is applied exactly once by a consumer in another service."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers as credit_handlers
from ar_credit.main import create_app as create_credit_app
from ar_credit.models import CreditCustomer
from ar_credit.models import plumbing as credit_plumbing
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as create_ledger_app
from ar_ledger.models import plumbing as ledger_plumbing
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration


async def test_customer_upserted_in_the_ledger_reaches_credit_once_even_when_published_twice(
    stack: Stack, all_schemas: None, unique: str
) -> None:
    prefix = f"t{unique}."
    ledger_settings = LedgerSettings(
        environment="test",
        database_url=SecretStr(stack.url("ledger", "app")),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )
    external_id = f"X-{unique}"
    async with (
        running(create_ledger_app(ledger_settings, TEST_CLOCK), rollback=False) as ledger,
        client_for(ledger) as client,
    ):
        response = await client.put(
            f"/v1/customers/external/{external_id}",
            json={"name": "Globex", "currency": "USD", "payment_terms_days": 45, "business_entity": "US01"},
            headers=bearer(ledger_settings.auth, "ledger:write"),
        )
        assert response.status_code == 201
        customer_id = uuid.UUID(response.json()["id"])
        ledger_engine = ledger.state.engine
        producer = build_producer(stack.kafka_bootstrap, "ar-test")
        await producer.start()
        try:
            relay = OutboxRelay(
                ledger_engine,
                ledger_plumbing,
                producer,
                asyncpg_dsn(stack.url("ledger", "app")),
                RelaySettings(topic_prefix=prefix),
            )
            assert await relay.drain() >= 1
            # publish the same rows again, as a relay restarted mid-batch would
            async with ledger_engine.begin() as conn:
                o = ledger_plumbing.outbox
                await conn.execute(
                    o.update().where(o.c.message_key == str(customer_id)).values(published_at=None)
                )
            assert await relay.drain() >= 1
            credit_settings = CreditSettings(
                environment="test",
                database_url=SecretStr(stack.url("credit", "app")),
                kafka_bootstrap_servers=stack.kafka_bootstrap,
            )
            async with running(create_credit_app(credit_settings, TEST_CLOCK), rollback=False) as credit:
                runner = ConsumerRunner(
                    ConsumerSettings(
                        group_id=f"credit-{unique}",
                        bootstrap_servers=stack.kafka_bootstrap,
                        topic_prefix=prefix,
                    ),
                    credit_handlers,
                    credit.state.sessionmaker,
                    credit_plumbing,
                    producer,
                )
                await runner.start()
                try:
                    handled = 0
                    async with asyncio.timeout(30):
                        while handled < 2:
                            handled += await runner.poll_once(timeout_ms=200)
                finally:
                    await runner.stop()
                async with credit.state.sessionmaker() as session:
                    copies = await session.scalar(
                        select(func.count())
                        .select_from(CreditCustomer)
                        .where(CreditCustomer.id == customer_id)
                    )
                    projected = await session.get(CreditCustomer, customer_id)
        finally:
            await producer.stop()
    assert copies == 1
    assert projected is not None
    assert projected.name == "Globex"
    assert projected.currency == "USD"
