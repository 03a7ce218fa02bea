"""A credit manager changes a customer's risk class; credit's outbox relay publishes
`CreditRiskClassChanged` on the real Kafka broker and the collections consumer keeps it on the
account (the newest profile version) and places it by its assignment rules."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pydantic import SecretStr

from ar_collections.config import CollectionsSettings
from ar_collections.consumers import handlers as collections_handlers
from ar_collections.main import create_app as create_collections_app
from ar_collections.models import plumbing as collections_plumbing
from ar_collections.testing import Book
from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers as credit_handlers
from ar_credit.main import create_app as create_credit_app
from ar_credit.models import plumbing as credit_plumbing
from ar_shared.consumer import ConsumerRunner, ConsumerSettings, HandlerContext
from ar_shared.db import asyncpg_dsn
from ar_shared.events import CloudEvent
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration


async def test_a_risk_class_set_in_credit_moves_the_account_in_collections(
    stack: Stack, all_schemas: None
) -> None:
    unique = uuid.uuid4().hex[:12]
    prefix = f"r{unique}."
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": stack.kafka_bootstrap}
    credit_settings = CreditSettings(database_url=SecretStr(stack.url("credit", "app")), **common)
    collections_settings = CollectionsSettings(
        database_url=SecretStr(stack.url("collections", "app")), **common
    )
    producer = build_producer(stack.kafka_bootstrap, f"ar-test-{unique}")
    await producer.start()
    async with (
        running(create_credit_app(credit_settings, TEST_CLOCK), rollback=False) as credit,
        running(create_collections_app(collections_settings, TEST_CLOCK), rollback=False) as collections,
        client_for(credit) as credit_client,
        client_for(collections) as collections_client,
    ):
        relay = OutboxRelay(
            credit.state.engine, credit_plumbing, producer, asyncpg_dsn(stack.url("credit", "app")),
            RelaySettings(topic_prefix=prefix),
        )  # fmt: skip
        runner = ConsumerRunner(
            ConsumerSettings(
                group_id=f"collections-{unique}", bootstrap_servers=stack.kafka_bootstrap, topic_prefix=prefix
            ),
            collections_handlers, collections.state.sessionmaker,
            collections_plumbing, producer, TEST_CLOCK,
        )  # fmt: skip
        manager = bearer(
            collections_settings.auth, "collections:manage", "collections:work", subject="boss",
            clock=TEST_CLOCK,
        )  # fmt: skip
        await runner.start()
        rules: list[str] = []
        try:
            book = Book(collections)
            entity = f"R{unique[:7].upper()}"
            await book.collector("anna")
            await book.collector("rita")
            general, risky = await book.portfolio("anna"), await book.portfolio("rita")
            # priorities of the test's own (its rules outlive it in the shared schema, and two
            # rules of one priority that could match the same account are refused)
            first = uuid.uuid4().int % 900_000 + 1_000
            for body in (
                {"name": f"{entity} very high", "portfolio_id": str(risky), "priority": first,
                 "business_entity": entity, "risk_class": "very_high"},
                {"name": f"{entity} all", "portfolio_id": str(general), "priority": first + 1,
                 "business_entity": entity},
            ):  # fmt: skip
                created = await collections_client.post("/v1/assignment-rules", json=body, headers=manager)
                assert created.status_code == 201, created.text
                rules.append(created.json()["id"])
            customer = await book.account(entity=entity)
            arrived = CustomerUpserted(
                customer_id=customer, external_id=f"C-{customer.hex[:8]}", name="Risky Ltd", currency="EUR",
                payment_terms_days=30, business_entity=entity,
            )  # fmt: skip
            async with credit.state.sessionmaker() as session:
                context = HandlerContext(
                    session, CloudEvent.wrap(arrived), OutboxWriter(credit_plumbing), TEST_CLOCK
                )
                await credit_handlers.handle(context, arrived)
                await session.commit()

            credit_manager = bearer(
                credit_settings.auth, "credit:manage", subject="credit-manager", clock=TEST_CLOCK
            )

            async def set_class(risk_class: str) -> None:
                response = await credit_client.put(
                    f"/v1/credit-profiles/{customer}",
                    json={"credit_limit": {"amount": "1000.00", "currency": "EUR"}, "risk_class": risk_class,
                          "reason": "annual review"},
                    headers=credit_manager,
                )  # fmt: skip
                assert response.status_code in (200, 201), response.text
                await relay.drain()
                idle = 0
                async with asyncio.timeout(120):
                    while idle < 3:
                        idle = idle + 1 if await runner.poll_once(timeout_ms=300) == 0 else 0

            async def account() -> tuple[Any, Any]:
                view = (await collections_client.get(f"/v1/accounts/{customer}", headers=manager)).json()
                path = f"/v1/accounts/{customer}/assignment"
                placed = (await collections_client.get(path, headers=manager)).json()
                return view["credit"]["risk_class"], placed["portfolio_id"]

            assert await account() == (None, str(general))
            await set_class("very_high")
            assert await account() == ("very_high", str(risky))
            await set_class("medium")
            assert await account() == ("medium", str(general))
        finally:
            for rule_id in rules:
                await collections_client.delete(f"/v1/assignment-rules/{rule_id}", headers=manager)
            await runner.stop()
            await producer.stop()
