"""The strategy run's letters travel the whole way: collections' outbox → its relay → Kafka →
the notifications consumer (inbox) → the delivery dispatcher → a real SMTP server (aiosmtpd).
Each message arrives once, a rerun of the same business date sends nothing twice, and a relay
that publishes the same rows again (a crash before it marked them) changes nothing either; each
letter is then printable from notifications under the request id the account view shows.

Both apps commit for real (the relay and the consumer run in transactions of their own), so the
test keeps to an entity, a strategy, a customer and an e-mail address of its own, and to Kafka
topics under a prefix of its own.
"""

from __future__ import annotations

import asyncio
import email
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from email.message import Message
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select

from ar_collections.config import CollectionsSettings
from ar_collections.main import create_app as create_collections_app
from ar_collections.models import plumbing as collections_plumbing
from ar_collections.testing import Book
from ar_notifications import consumers as notification_consumers
from ar_notifications.config import NotificationsSettings
from ar_notifications.consumers import handlers as notification_handlers
from ar_notifications.delivery.senders import Senders
from ar_notifications.delivery.service import dispatch_due
from ar_notifications.main import create_app as create_notifications_app
from ar_notifications.models import Delivery
from ar_notifications.models import plumbing as notifications_plumbing
from ar_shared.clock import ManualClock
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import pinned_clock
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)  # the entity's dates are set by hand: about dates, not the wall clock
STEPS = [
    {"days": 3, "action": "email_reminder", "template_key": "first_reminder"},
    {"days": 20, "action": "demand_letter", "template_key": "demand_letter"},
    {"days": 30, "action": "final_notice", "template_key": "final_notice"},
]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class Pipeline:
    collections: FastAPI
    notifications: FastAPI
    settings: NotificationsSettings
    relay: OutboxRelay
    consumer: ConsumerRunner
    clock: ManualClock
    inbox: Inbox

    async def deliveries(self, customer_id: uuid.UUID) -> int:
        async with self.notifications.state.sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.customer_id == customer_id)
            )
        return int(count or 0)

    async def carry(self, customer_id: uuid.UUID, expected_deliveries: int) -> int:
        """Relays collections' outbox to Kafka, consumes until notifications holds the expected
        deliveries of the customer (and a little longer, for any it should not hold), then lets
        the dispatcher send what is due; returns how many messages it sent."""
        await self.relay.drain()
        async with asyncio.timeout(60):
            while await self.deliveries(customer_id) < expected_deliveries:
                await self.consumer.poll_once(timeout_ms=200)
        while await self.consumer.poll_once(timeout_ms=500):
            pass  # whatever else was published is consumed before anything is counted
        return await dispatch_due(
            self.notifications.state.sessionmaker,
            self.settings,
            Senders.from_settings(self.settings),
            self.clock.now(),
        )


@pytest.fixture
async def pipeline(
    stack: Stack, all_schemas: None, smtp: tuple[Inbox, int], unique: str
) -> AsyncIterator[Pipeline]:
    clock = pinned_clock(time(12))  # a weekday noon (UTC): inside the customer's contact hours
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": stack.kafka_bootstrap}
    collections_settings = CollectionsSettings(
        database_url=SecretStr(stack.url("collections", "app")), **common
    )
    notifications_settings = NotificationsSettings(
        database_url=SecretStr(stack.url("notifications", "app")), smtp_port=smtp[1], max_attempts=3,
        retry_backoff_seconds=0.0, **common,
    )  # fmt: skip
    prefix = f"t{unique}."
    producer: AIOKafkaProducer = build_producer(stack.kafka_bootstrap, f"ar-test-{unique}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notification_consumers, "get_settings", lambda: notifications_settings)
        async with (
            running(create_collections_app(collections_settings, clock), rollback=False) as collections,
            running(create_notifications_app(notifications_settings, clock), rollback=False) as notifications,
        ):
            await producer.start()
            relay = OutboxRelay(
                collections.state.engine,
                collections_plumbing,
                producer,
                asyncpg_dsn(stack.url("collections", "app")),
                RelaySettings(topic_prefix=prefix),
            )
            consumer = ConsumerRunner(
                ConsumerSettings(
                    group_id=f"notifications-{unique}", bootstrap_servers=stack.kafka_bootstrap,
                    topic_prefix=prefix,
                ),
                notification_handlers, notifications.state.sessionmaker, notifications_plumbing, producer,
                clock=clock,
            )  # fmt: skip
            try:
                await relay.drain()  # the topics exist before the consumer subscribes
                await consumer.start()
                yield Pipeline(
                    collections, notifications, notifications_settings, relay, consumer, clock, smtp[0]
                )
            finally:
                await consumer.stop()
                await producer.stop()


async def run(client: httpx.AsyncClient, manager: dict[str, str], entity: str, days: int) -> dict[str, Any]:
    response = await client.post(
        "/v1/strategy-runs",
        json={"business_entity": entity, "as_of": (D + timedelta(days=days)).isoformat()},
        headers=manager,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def text_of(message: Message) -> str:
    [plain] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return bytes(plain.get_payload(decode=True)).decode()


async def test_each_letter_of_a_strategy_run_reaches_the_smtp_server_once_through_kafka(
    pipeline: Pipeline, unique: str
) -> None:
    collections, notifications, clock = pipeline.collections, pipeline.notifications, pipeline.clock
    manager = bearer(collections.state.settings.auth, "collections:manage", subject="boss", clock=clock)
    reader = bearer(notifications.state.settings.auth, "notifications:manage", subject="ops", clock=clock)
    entity = f"K{unique[:7].upper()}"
    address = f"ap-{unique}@globex.example"
    book = Book(collections)
    await book.business_date(entity, D)
    customer = await book.account(entity=entity, name="Globex Ltd", contact_email=address)
    await book.invoice(customer, due=D, amount="100.00", number="INV-1", entity=entity)
    await book.invoice(customer, due=D + timedelta(days=8), amount="50.00", number="INV-2", entity=entity)
    async with client_for(collections) as client:
        name = f"kafka-{entity.lower()}"
        created = await client.post(
            "/v1/dunning-strategies", json={"name": name, "steps": STEPS}, headers=manager
        )
        assert created.status_code == 201, created.text
        segment = {"name": entity, "strategy": name, "priority": uuid.uuid4().int % 900_000 + 1000,
                   "business_entity": entity}  # fmt: skip
        assert (await client.post("/v1/strategy-segments", json=segment, headers=manager)).status_code == 201

        assert (await run(client, manager, entity, 3))["fired"] == {"email_reminder": 1}
        assert await pipeline.carry(customer, 1) == 1
        assert (await run(client, manager, entity, 20))["fired"] == {"demand_letter": 1}
        assert await pipeline.carry(customer, 2) == 1

        rerun = await run(client, manager, entity, 20)
        assert rerun["fired"] == {}
        assert await pipeline.carry(customer, 2) == 0
        # the relay publishes the customer's events again, as one that crashed before marking them
        async with collections.state.engine.begin() as conn:
            o = collections_plumbing.outbox
            await conn.execute(o.update().where(o.c.message_key == str(customer)).values(published_at=None))
        assert await pipeline.carry(customer, 2) == 0
        assert await pipeline.deliveries(customer) == 2

        letters = (await client.get(f"/v1/accounts/{customer}", headers=manager)).json()["letters"]

    reminder, demand = pipeline.inbox.to(address)
    assert reminder["Subject"] == "Payment reminder: overdue invoices"
    assert "Dear Globex Ltd" in text_of(reminder)
    assert "Total 100.00 EUR" in text_of(reminder)
    assert demand["Subject"] == "Demand for payment"
    assert "INV-2" in text_of(demand)
    assert "Total 150.00 EUR" in text_of(demand)

    # the account view's letters are the ones sent, printable from notifications by request id
    assert [x["template_key"] for x in letters] == ["demand_letter", "first_reminder"]
    async with client_for(notifications) as client:
        for letter, message in zip(letters, (demand, reminder), strict=True):
            found = await client.get(f"/v1/letters?request_id={letter['request_id']}", headers=reader)
            [kept] = found.json()["items"]
            assert (kept["customer_id"], kept["status"], kept["subject"]) == (
                str(customer), "sent", message["Subject"],
            )  # fmt: skip
            page = await client.get(f"/v1/letters/{kept['id']}/printable", headers=reader)
            assert page.status_code == 200
            assert f"<title>{message['Subject']}</title>" in page.text
            assert "<td>INV-1</td>" in page.text
