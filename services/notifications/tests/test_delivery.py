"""Delivery against a real SMTP server (aiosmtpd) and a real HTTP receiver: content, signatures,
once per causing event, retries then NotificationFailed, suppression and contact hours."""

from __future__ import annotations

import asyncio
import email
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import time, timedelta
from email.message import Message
from ipaddress import IPv4Network
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ar_notifications import consumers
from ar_notifications.config import NotificationsSettings
from ar_notifications.consumers import handlers
from ar_notifications.delivery.repository import DeliveryRepository
from ar_notifications.delivery.senders import SIGNATURE_HEADER, TIMESTAMP_HEADER, Senders, sign
from ar_notifications.delivery.service import dispatch_due
from ar_notifications.models import Delivery, plumbing
from ar_notifications.templates.contact_hours import next_contact_time
from ar_shared.clock import ManualClock
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent, EventPayload
from ar_shared.events.collections import NotificationRequested
from ar_shared.events.credit import CreditHoldPlaced
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.clock import pinned_clock

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def settings(notifications_settings: NotificationsSettings, smtp: tuple[Inbox, int]) -> NotificationsSettings:
    return notifications_settings.model_copy(
        update={"smtp_port": smtp[1], "max_attempts": 3, "retry_backoff_seconds": 0.0}
    )


@pytest.fixture
def clock() -> ManualClock:
    """A weekday noon (UTC): inside the contact hours of a customer in London."""
    return pinned_clock(time(12))


async def deliver(app: FastAPI, payload: EventPayload, event: CloudEvent | None = None) -> CloudEvent:
    event = event or CloudEvent.wrap(payload)
    registration = handlers.get(payload.event_type())
    assert registration is not None
    async with app.state.sessionmaker() as session:
        context = HandlerContext(session, event, OutboxWriter(plumbing), app.state.clock)
        await registration.handler(context, payload)
        await session.commit()
    return event


async def new_customer(app: FastAPI, time_zone: str = "UTC") -> uuid.UUID:
    customer_id = uuid.uuid4()
    await deliver(
        app,
        CustomerUpserted(
            customer_id=customer_id, external_id="N-1", name="Globex Ltd", currency="EUR",
            payment_terms_days=30, business_entity="UK01", contact_email="ap@globex.example",
            time_zone=time_zone,
        ),
    )  # fmt: skip
    return customer_id


def reminder(customer_id: uuid.UUID, recipient: str = "ap@globex.example") -> NotificationRequested:
    return NotificationRequested(
        request_id=uuid.uuid4(),
        customer_id=customer_id,
        template_key="first_reminder",
        locale="en",
        channel="email",
        recipient=recipient,
        context={
            "open_items": [
                {
                    "invoice_number": "INV-9",
                    "due_date": "2026-10-01",
                    "open_balance": "1190.00",
                    "currency": "EUR",
                    "days_past_due": 54,
                }
            ],
            "totals": {"EUR": "1190.00"},
        },
    )


async def deliveries(app: FastAPI, customer_id: uuid.UUID) -> list[Delivery]:
    async with app.state.sessionmaker() as session:
        return list(
            (await session.scalars(select(Delivery).where(Delivery.customer_id == customer_id))).all()
        )


async def events(app: FastAPI, customer_id: uuid.UUID) -> list[str]:
    o = plumbing.outbox
    async with app.state.sessionmaker() as session:
        return list(
            (await session.scalars(select(o.c.event_type).where(o.c.message_key == str(customer_id)))).all()
        )


async def test_a_reminder_arrives_once_with_its_subject_recipient_and_open_item_table(
    clock: ManualClock, notifications_app: FastAPI, settings: NotificationsSettings, smtp: tuple[Inbox, int]
) -> None:
    customer_id = await new_customer(notifications_app)
    request = reminder(customer_id)
    first = await deliver(notifications_app, request)
    await deliver(notifications_app, request, first)  # the same event delivered again
    assert len(await deliveries(notifications_app, customer_id)) == 1

    sent = await dispatch_due(
        notifications_app.state.sessionmaker, settings, Senders.from_settings(settings), clock.now()
    )
    assert sent == 1
    [message] = smtp[0].messages
    assert message["To"] == "ap@globex.example"
    assert message["Subject"] == "Payment reminder: overdue invoices"
    parts = {
        p.get_content_type(): bytes(p.get_payload(decode=True)).decode()
        for p in message.walk()
        if not p.is_multipart()
    }
    assert "Dear Globex Ltd" in parts["text/plain"]
    assert "INV-9" in parts["text/plain"]
    assert "Total 1190.00 EUR" in parts["text/plain"]
    assert "<td>INV-9</td>" in parts["text/html"]
    assert "<td>1190.00 EUR</td>" in parts["text/html"]
    assert (await deliveries(notifications_app, customer_id))[0].status == "sent"
    assert "ar.notifications.NotificationSent.v1" in await events(notifications_app, customer_id)


async def test_smtp_down_retries_then_fails_with_notification_failed(
    clock: ManualClock,
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    client: Any,
    manager: dict[str, str],
) -> None:
    down = settings.model_copy(update={"smtp_port": free_port()})  # nothing listens there
    customer_id = await new_customer(notifications_app)
    await deliver(notifications_app, reminder(customer_id))
    for attempt in range(3):
        await dispatch_due(
            notifications_app.state.sessionmaker,
            down,
            Senders.from_settings(down),
            clock.now() + timedelta(minutes=attempt),
        )
    [delivery] = await deliveries(notifications_app, customer_id)
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.last_error
    assert "SMTP" in delivery.last_error
    assert "ar.notifications.NotificationFailed.v1" in await events(notifications_app, customer_id)
    resent = (await client.post(f"/v1/deliveries/{delivery.id}/resend", headers=manager)).json()
    assert (resent["status"], resent["attempts"]) == ("queued", 0)


async def test_suppressed_addresses_are_never_written_to(
    clock: ManualClock,
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    smtp: tuple[Inbox, int],
    client: Any,
    manager: dict[str, str],
) -> None:
    customer_id = await new_customer(notifications_app)
    await client.post(
        "/v1/suppressions",
        json={"address": "stop@globex.example", "reason": "do_not_contact"},
        headers=manager,
    )
    await deliver(notifications_app, reminder(customer_id, recipient="Stop@Globex.example"))
    await dispatch_due(
        notifications_app.state.sessionmaker, settings, Senders.from_settings(settings), clock.now()
    )
    [delivery] = await deliveries(notifications_app, customer_id)
    assert delivery.status == "suppressed"
    assert smtp[0].messages == []


async def test_a_message_due_outside_contact_hours_waits_for_the_window(
    notifications_app: FastAPI, settings: NotificationsSettings, smtp: tuple[Inbox, int], clock: ManualClock
) -> None:
    saturday = clock.now() + timedelta(days=5 - clock.now().weekday())
    monday = saturday + timedelta(days=2)
    assert next_contact_time(saturday.replace(hour=10), "UTC", time(8), time(18)) == monday.replace(hour=8)
    # 20:00 UTC on a weekday is 05:00 the next morning in Tokyo: the window opens at 08:00 there
    evening = clock.now().replace(hour=20)
    if evening.weekday() == 4:  # Friday evening is Saturday in Tokyo: pick Monday's
        evening += timedelta(days=3)
    assert next_contact_time(evening, "Asia/Tokyo", time(8), time(18)) == evening.replace(hour=23)
    customer_id = await new_customer(notifications_app, time_zone="Asia/Tokyo")
    await deliver(notifications_app, reminder(customer_id))
    [delivery] = await deliveries(notifications_app, customer_id)
    assert delivery.next_attempt_at is not None
    local = delivery.next_attempt_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert time(8) <= local.time() < time(18)
    assert (
        await dispatch_due(
            notifications_app.state.sessionmaker,
            settings,
            Senders.from_settings(settings),
            delivery.next_attempt_at - timedelta(seconds=1),
        )
        == 0
    )
    assert (
        await dispatch_due(
            notifications_app.state.sessionmaker,
            settings,
            Senders.from_settings(settings),
            delivery.next_attempt_at,
        )
        == 1
    )


async def test_the_sales_rep_hears_about_a_credit_hold(
    clock: ManualClock, notifications_app: FastAPI, settings: NotificationsSettings, smtp: tuple[Inbox, int]
) -> None:
    customer_id = await new_customer(notifications_app)
    hold = CreditHoldPlaced(
        hold_id=uuid.uuid4(), customer_id=customer_id, reason_code="past_due", source="policy",
        placed_by="credit-policy", placed_at=clock.now(), sales_rep="rep@ourcompany.example",
    )  # fmt: skip
    event = await deliver(notifications_app, hold)
    await deliver(notifications_app, hold, event)
    await dispatch_due(
        notifications_app.state.sessionmaker, settings, Senders.from_settings(settings), clock.now()
    )
    [message] = smtp[0].messages
    assert message["To"] == "rep@ourcompany.example"
    assert message["Subject"] == "Credit hold placed on Globex Ltd"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    received: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", hook, methods=["POST"])]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}/hook", received
    server.should_exit = True
    await task


async def test_a_webhook_is_signed_and_the_signature_verifies(
    clock: ManualClock,
    notifications_app: FastAPI,
    settings: NotificationsSettings,
    receiver: tuple[str, list[tuple[dict[str, str], bytes]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the receiver is on this machine: only the allow-list lets a webhook reach it
    local = settings.model_copy(update={"webhook_allowed_networks": [IPv4Network("127.0.0.1/32")]})
    monkeypatch.setattr(consumers, "get_settings", lambda: local)  # what the worker reads
    url, received = receiver
    customer_id = await new_customer(notifications_app)
    request = reminder(customer_id, recipient=url).model_copy(update={"channel": "webhook"})
    await deliver(notifications_app, request)
    await dispatch_due(notifications_app.state.sessionmaker, local, Senders.from_settings(local), clock.now())
    [(headers, body)] = received
    expected = sign(settings.webhook_secret.get_secret_value(), headers[TIMESTAMP_HEADER.lower()], body)
    assert headers[SIGNATURE_HEADER.lower()] == f"v1={expected}"
    assert json.loads(body)["template"] == "first_reminder"
    assert sign("another-secret", headers[TIMESTAMP_HEADER.lower()], body) != expected
    async with notifications_app.state.sessionmaker() as session:
        [delivery] = (
            await session.scalars(select(Delivery).where(Delivery.customer_id == customer_id))
        ).all()
        assert (await DeliveryRepository(session).get(delivery.id)) is not None
    assert delivery.status == "sent"
