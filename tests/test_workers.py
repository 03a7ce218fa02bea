"""The worker processes' loop end to end: ledger relay → Kafka → credit consumer, then a clean stop."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pydantic import SecretStr

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers as credit_handlers
from ar_credit.models import CreditCustomer
from ar_credit.models import plumbing as credit_plumbing
from ar_ledger.config import LedgerSettings
from ar_ledger.consumers import handlers as ledger_handlers
from ar_ledger.main import create_app as create_ledger_app
from ar_ledger.models import plumbing as ledger_plumbing
from ar_shared.db import build_engine, build_sessionmaker
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack
from ar_shared.worker import run_worker

pytestmark = pytest.mark.integration


async def test_workers_carry_a_customer_from_ledger_to_credit_and_stop_cleanly(
    stack: Stack, all_schemas: None, unique: str
) -> None:
    prefix = f"w{unique}."
    common: dict[str, Any] = {
        "environment": "test",
        "kafka_bootstrap_servers": stack.kafka_bootstrap,
        "kafka_topic_prefix": prefix,
    }
    ledger = LedgerSettings(database_url=SecretStr(stack.url("ledger", "app")), **common)
    credit = CreditSettings(database_url=SecretStr(stack.url("credit", "app")), **common)
    stop = asyncio.Event()
    workers = [
        asyncio.create_task(run_worker(ledger, ledger_plumbing, ledger_handlers, stop=stop)),
        asyncio.create_task(run_worker(credit, credit_plumbing, credit_handlers, stop=stop)),
    ]
    engine = build_engine(credit)
    try:
        async with (
            running(create_ledger_app(ledger, TEST_CLOCK), rollback=False) as app,
            client_for(app) as client,
        ):
            response = await client.put(
                f"/v1/customers/external/W-{unique}",
                json={
                    "name": "Wonka",
                    "currency": "CHF",
                    "payment_terms_days": 10,
                    "business_entity": "CH01",
                },
                headers=bearer(ledger.auth, "ledger:write"),
            )
        customer_id = uuid.UUID(response.json()["id"])
        async with asyncio.timeout(60):
            while True:
                async with build_sessionmaker(engine)() as session:
                    projected = await session.get(CreditCustomer, customer_id)
                if projected is not None:
                    break
                await asyncio.sleep(0.2)
        assert projected.currency == "CHF"
    finally:
        stop.set()
        async with asyncio.timeout(30):
            await asyncio.gather(*workers)
        await engine.dispose()
    assert all(w.done() and w.exception() is None for w in workers)
