"""The strategy run's reminders and letters reach the customer's inbox through the notifications
service's real SMTP path (aiosmtpd): each message once, with the open items of its level and
their totals, even when the run is repeated and each request is delivered twice.

Collections' outbox envelopes are handed to the notifications handlers as its consumer would
(the relay and Kafka between them are covered by test_cross_service_delivery.py).
"""

from __future__ import annotations

import email
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, time, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

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
from ar_notifications.models import plumbing as notifications_plumbing
from ar_shared.clock import ManualClock
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent
from ar_shared.events.collections import NotificationRequested
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.clock import pinned_clock
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)  # the entity's dates are set by hand: about dates, not the wall clock


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


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


@pytest.fixture
def clock() -> ManualClock:
    """A weekday noon (UTC): inside the customer's contact hours."""
    return pinned_clock(time(12))


@pytest.fixture
async def apps(
    stack: Stack, all_schemas: None, smtp: tuple[Inbox, int], clock: ManualClock
) -> AsyncIterator[tuple[FastAPI, FastAPI, NotificationsSettings]]:
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": stack.kafka_bootstrap}
    collections_settings = CollectionsSettings(
        database_url=SecretStr(stack.url("collections", "app")), **common
    )
    notifications_settings = NotificationsSettings(
        database_url=SecretStr(stack.url("notifications", "app")), smtp_port=smtp[1], max_attempts=3,
        retry_backoff_seconds=0.0, **common,
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notification_consumers, "get_settings", lambda: notifications_settings)
        async with (
            running(create_collections_app(collections_settings, clock)) as collections,
            running(create_notifications_app(notifications_settings, clock)) as notifications,
        ):
            yield collections, notifications, notifications_settings


async def hand_over(collections: FastAPI, notifications: FastAPI, customer_id: uuid.UUID) -> int:
    """Every NotificationRequested of the customer in collections' outbox, delivered twice."""
    o = collections_plumbing.outbox
    async with collections.state.sessionmaker() as session:
        envelopes = (
            await session.scalars(
                select(o.c.envelope)
                .where(
                    o.c.event_type == NotificationRequested.event_type(), o.c.message_key == str(customer_id)
                )
                .order_by(o.c.id)
            )
        ).all()
    registration = notification_handlers.get(NotificationRequested.event_type())
    assert registration is not None
    for envelope in envelopes:
        event = CloudEvent.model_validate(envelope)
        for _ in range(2):  # redelivered: the causing event id keeps it to one delivery
            async with notifications.state.sessionmaker() as session:
                context = HandlerContext(
                    session, event, OutboxWriter(notifications_plumbing), notifications.state.clock
                )
                await registration.handler(context, NotificationRequested.model_validate(event.data))
                await session.commit()
    return len(envelopes)


def text_of(message: Message) -> str:
    [plain] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return bytes(plain.get_payload(decode=True)).decode()


async def test_reminders_and_letters_reach_the_smtp_server_once_each(
    apps: tuple[FastAPI, FastAPI, NotificationsSettings], smtp: tuple[Inbox, int], clock: ManualClock
) -> None:
    collections, notifications, settings = apps
    manager = bearer(collections.state.settings.auth, "collections:manage", subject="boss", clock=clock)
    entity = f"M{uuid.uuid4().hex[:7].upper()}"
    book = Book(collections)
    await book.business_date(entity, D)
    customer = await book.account(entity=entity, name="Globex Ltd")
    await book.invoice(customer, due=D, amount="100.00", number="INV-1", entity=entity)
    await book.invoice(customer, due=D + timedelta(days=8), amount="50.00", number="INV-2", entity=entity)
    steps = [
        {"days": 3, "action": "email_reminder", "template_key": "first_reminder"},
        {"days": 20, "action": "demand_letter", "template_key": "demand_letter"},
    ]
    async with client_for(collections) as client:
        name = f"mail-{entity.lower()}"
        created = await client.post(
            "/v1/dunning-strategies", json={"name": name, "steps": steps}, headers=manager
        )
        assert created.status_code == 201, created.text
        segment = {"name": entity, "strategy": name, "priority": uuid.uuid4().int % 900_000 + 1000,
                   "business_entity": entity}  # fmt: skip
        assert (await client.post("/v1/strategy-segments", json=segment, headers=manager)).status_code == 201
        for days in (3, 20, 20):  # the last one a rerun
            response = await client.post(
                "/v1/strategy-runs",
                json={"business_entity": entity, "as_of": (D + timedelta(days=days)).isoformat()},
                headers=manager,
            )
            assert response.status_code == 201, response.text

    assert await hand_over(collections, notifications, customer) == 2
    sent = await dispatch_due(
        notifications.state.sessionmaker, settings, Senders.from_settings(settings), clock.now()
    )

    assert sent == 2
    reminder, demand = sorted(
        smtp[0].messages, key=lambda m: m["Subject"] != "Payment reminder: overdue invoices"
    )
    assert (reminder["To"], reminder["Subject"]) == (
        "ap@customer.example",
        "Payment reminder: overdue invoices",
    )
    assert "Dear Globex Ltd" in text_of(reminder)
    assert "INV-1" in text_of(reminder)
    assert "INV-2" not in text_of(reminder)  # not overdue yet on the reminder's date
    assert "Total 100.00 EUR" in text_of(reminder)
    assert demand["Subject"] == "Demand for payment"
    assert "INV-1" in text_of(demand)
    assert "INV-2" in text_of(demand)
    assert "Total 150.00 EUR" in text_of(demand)
