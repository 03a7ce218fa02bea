"""Contact hours follow the wall clock unless the customer's entity date is set by hand (then a
message goes at once); a credit decision change reaches the order system as a signed webhook."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import time, timedelta
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ar_notifications import consumers
from ar_notifications.config import NotificationsSettings
from ar_notifications.consumers import handlers
from ar_notifications.delivery.senders import SIGNATURE_HEADER, TIMESTAMP_HEADER, Senders, sign
from ar_notifications.delivery.service import dispatch_due
from ar_notifications.models import Delivery, plumbing
from ar_shared.clock import ManualClock
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent, EventPayload
from ar_shared.events.collections import NotificationRequested
from ar_shared.events.credit import CreditDecisionChanged
from ar_shared.events.ledger import BusinessDateChanged, CustomerUpserted
from ar_shared.money import MoneyAmount
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.clock import pinned_clock

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> ManualClock:
    """A weekday at 20:00 UTC: 05:00 the next morning in Tokyo, before its contact hours."""
    return pinned_clock(time(20))


async def deliver(app: FastAPI, payload: EventPayload) -> CloudEvent:
    event = CloudEvent.wrap(payload)
    registration = handlers.get(payload.event_type())
    assert registration is not None
    async with app.state.sessionmaker() as session:
        await registration.handler(
            HandlerContext(session, event, OutboxWriter(plumbing), app.state.clock), payload
        )
        await session.commit()
    return event


async def tokyo_customer(app: FastAPI, entity: str) -> uuid.UUID:
    customer_id = uuid.uuid4()
    await deliver(
        app,
        CustomerUpserted(
            customer_id=customer_id, external_id=f"T-{customer_id.hex[:6]}", name="Tokyo Trading KK",
            currency="JPY", payment_terms_days=30, business_entity=entity, contact_email="ap@tokyo.example",
            time_zone="Asia/Tokyo",
        ),
    )  # fmt: skip
    return customer_id


def reminder(customer_id: uuid.UUID) -> NotificationRequested:
    return NotificationRequested(
        request_id=uuid.uuid4(), customer_id=customer_id, template_key="first_reminder", locale="en",
        channel="email", recipient="ap@tokyo.example", context={"open_items": [], "totals": {}},
    )  # fmt: skip


async def next_attempt(app: FastAPI, customer_id: uuid.UUID) -> Any:
    async with app.state.sessionmaker() as session:
        (delivery,) = (
            await session.scalars(select(Delivery).where(Delivery.customer_id == customer_id))
        ).all()
        return delivery.next_attempt_at


async def test_a_customer_of_an_entity_on_a_date_set_by_hand_is_written_to_at_once(
    notifications_app: FastAPI, clock: ManualClock
) -> None:
    calendar_entity, simulated_entity = f"C{uuid.uuid4().hex[:6]}", f"S{uuid.uuid4().hex[:6]}"
    await deliver(
        notifications_app,
        BusinessDateChanged(
            business_entity=simulated_entity, previous_date=clock.now().date(),
            business_date=clock.now().date() + timedelta(days=30), mode="manual", time_zone="Europe/Berlin",
        ),
    )  # fmt: skip
    waits, simulated = (
        await tokyo_customer(notifications_app, calendar_entity),
        await tokyo_customer(notifications_app, simulated_entity),
    )
    await deliver(notifications_app, reminder(waits))
    await deliver(notifications_app, reminder(simulated))
    assert await next_attempt(notifications_app, waits) > clock.now()  # 08:00 in Tokyo
    assert await next_attempt(notifications_app, simulated) == clock.now()

    # back on the calendar: the wall clock's contact hours again
    await deliver(
        notifications_app,
        BusinessDateChanged(
            business_entity=simulated_entity, previous_date=clock.now().date() + timedelta(days=30),
            business_date=clock.now().date() + timedelta(days=30), mode="calendar", time_zone="Europe/Berlin",
        ),
    )  # fmt: skip
    later = await tokyo_customer(notifications_app, simulated_entity)
    await deliver(notifications_app, reminder(later))
    assert await next_attempt(notifications_app, later) > clock.now()


@pytest.fixture
async def order_system() -> AsyncIterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    received: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=[Route("/orders/credit", hook, methods=["POST"])]), host="127.0.0.1",
                       port=port, log_level="warning")
    )  # fmt: skip
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}/orders/credit", received
    server.should_exit = True
    await task


def released(customer_id: uuid.UUID) -> CreditDecisionChanged:
    return CreditDecisionChanged(
        order_reference="SO-4711", customer_id=customer_id, business_entity="JP01",
        amount=MoneyAmount(amount="250000", currency="JPY"), previous_status="refused", status="approved",
        decision="approved", reason_codes=[], business_date=pinned_clock().now().date(),
        changed_by="credit-policy",
    )  # fmt: skip


def with_order_system(base: NotificationsSettings, url: str | None) -> NotificationsSettings:
    # the receiver is on this machine: the one network webhooks may reach here (the allow-list of
    # the webhook target rules; ignored where those rules are not in this build)
    return NotificationsSettings(
        **base.model_dump(exclude={"order_system_webhook_url", "webhook_allowed_networks"}),
        order_system_webhook_url=url,
        webhook_allowed_networks=["127.0.0.1/32"],
    )


async def test_a_released_order_reaches_the_order_system_as_a_signed_webhook(
    notifications_app: FastAPI,
    notifications_settings: NotificationsSettings,
    order_system: tuple[str, list[tuple[dict[str, str], bytes]]],
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, received = order_system
    settings = with_order_system(notifications_settings, url)
    monkeypatch.setattr(consumers, "get_settings", lambda: settings)
    customer_id = await tokyo_customer(notifications_app, "JP01")
    event = await deliver(notifications_app, released(customer_id))
    await dispatch_due(
        notifications_app.state.sessionmaker, settings, Senders.from_settings(settings), clock.now()
    )

    [(headers, body)] = received
    expected = sign(settings.webhook_secret.get_secret_value(), headers[TIMESTAMP_HEADER.lower()], body)
    assert headers[SIGNATURE_HEADER.lower()] == f"v1={expected}"
    document = json.loads(body)
    assert document["template"] == "credit_decision_changed"
    assert document["subject"] == "Order SO-4711 is approved"
    assert document["context"] == document["context"] | {
        "order_reference": "SO-4711", "status": "approved", "previous_status": "refused", "amount": "250000",
        "currency": "JPY", "customer_name": "Tokyo Trading KK",
    }  # fmt: skip
    async with notifications_app.state.sessionmaker() as session:
        (delivery,) = (
            await session.scalars(select(Delivery).where(Delivery.causing_event_id == event.id))
        ).all()
    assert (delivery.status, delivery.channel) == ("sent", "webhook")


async def test_without_an_order_system_webhook_nothing_is_sent(
    notifications_app: FastAPI, notifications_settings: NotificationsSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "get_settings", lambda: with_order_system(notifications_settings, None))
    customer_id = await tokyo_customer(notifications_app, "JP01")
    event = await deliver(notifications_app, released(customer_id))
    async with notifications_app.state.sessionmaker() as session:
        assert (
            await session.scalars(select(Delivery).where(Delivery.causing_event_id == event.id))
        ).all() == []
