"""The business date across the platform, over real Kafka: each entity has its own date in its own
time zone; a date never moves back; advancing 30 days closes each day (one AccountPastDue per bucket
crossing) and credit then holds and judges on the new date; a blocked order released by a payment
reaches the order system as a signed webhook."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import delete
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers as credit_handlers
from ar_credit.main import create_app as create_credit_app
from ar_credit.models import plumbing as credit_plumbing
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as create_ledger_app
from ar_ledger.models import plumbing as ledger_plumbing
from ar_notifications import consumers as notification_consumers
from ar_notifications.config import NotificationsSettings
from ar_notifications.consumers import handlers as notification_handlers
from ar_notifications.delivery.senders import SIGNATURE_HEADER, TIMESTAMP_HEADER, Senders, sign
from ar_notifications.delivery.service import dispatch_due
from ar_notifications.main import create_app as create_notifications_app
from ar_notifications.models import Delivery
from ar_notifications.models import plumbing as notification_plumbing
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import pinned_clock
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

# noon UTC on a weekday: already tomorrow on Kiritimati (UTC+14), still today on Pago Pago (UTC-11)
CLOCK = pinned_clock(time(12))
TODAY = CLOCK.now().date()


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@dataclass
class Platform:
    ledger: httpx.AsyncClient
    credit: httpx.AsyncClient
    ledger_app: FastAPI
    notifications_app: FastAPI
    relays: list[OutboxRelay]
    runners: list[ConsumerRunner]
    notifications: NotificationsSettings
    bootstrap: str
    prefix: str

    def admin(self) -> dict[str, str]:
        return bearer(self.ledger_app.state.settings.auth, "admin", subject="platform-admin", clock=CLOCK)

    def manager(self) -> dict[str, str]:
        return bearer(self.ledger_app.state.settings.auth, "credit:manage", "credit:check", clock=CLOCK)

    async def pump(self) -> None:
        """Ledger outbox -> Kafka -> credit; credit outbox -> Kafka -> notifications; until idle."""
        for relay, runner in zip(self.relays, self.runners, strict=True):
            await relay.drain()
            idle = 0
            async with asyncio.timeout(120):
                while idle < 3:
                    idle = idle + 1 if await runner.poll_once(timeout_ms=300) == 0 else 0

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.ledger.post(path, json=body, headers=self.admin())
        assert response.status_code in {200, 201}, response.text
        return dict(response.json())

    async def customer(self, entity: str, *, limit: str) -> tuple[str, str]:
        external_id = f"BK-{uuid.uuid4().hex[:10]}"
        response = await self.ledger.put(
            f"/v1/customers/external/{external_id}",
            json={
                "name": "Business Day Ltd",
                "currency": "EUR",
                "payment_terms_days": 30,
                "business_entity": entity,
            },
            headers=self.admin(),
        )
        assert response.status_code == 201, response.text
        customer_id = str(response.json()["id"])
        await self.pump()
        profile = await self.credit.put(
            f"/v1/credit-profiles/{customer_id}",
            json={
                "credit_limit": eur(limit),
                "risk_class": "high",
                "reason": "onboarding",
            },  # 30 days past due
            headers=self.manager(),
        )
        assert profile.status_code == 201, profile.text
        return external_id, customer_id

    async def invoice(self, external_id: str, amount: str, due: date) -> dict[str, Any]:
        return await self.post(
            "/v1/invoices",
            {"customer_external_id": external_id, "invoice_number": f"BK-{uuid.uuid4().hex[:8]}",
             "issue_date": (due - timedelta(days=30)).isoformat(), "due_date": due.isoformat(),
             "amount": eur(amount)},
        )  # fmt: skip

    async def set_date(self, entity: str, **body: Any) -> httpx.Response:
        return await self.ledger.put(f"/v1/business-dates/{entity}", json=body, headers=self.admin())

    async def check(self, customer_id: str, amount: str = "1.00") -> dict[str, Any]:
        response = await self.credit.get(
            "/v1/credit-check",
            params={"customer_id": customer_id, "amount": amount, "currency": "EUR"},
            headers=self.manager(),
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def published(self, topic: str, key: str) -> list[dict[str, Any]]:
        """Every event with `key` on the (prefixed) topic, as read back from Kafka, in order."""
        consumer = AIOKafkaConsumer(
            self.prefix + topic, bootstrap_servers=self.bootstrap, group_id=None,
            auto_offset_reset="earliest", enable_auto_commit=False,
        )  # fmt: skip
        await consumer.start()
        found: list[dict[str, Any]] = []
        try:
            while batch := await consumer.getmany(timeout_ms=1500):
                for records in batch.values():
                    found += [json.loads(r.value or b"") for r in records if r.key == key.encode()]
        finally:
            await consumer.stop()
        return found


@pytest.fixture(scope="module")
async def order_system() -> AsyncIterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    received: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=[Route("/credit", hook, methods=["POST"])]), host="127.0.0.1",
                       port=port, log_level="warning")
    )  # fmt: skip
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}/credit", received
    server.should_exit = True
    await task


@pytest.fixture(scope="module")
async def platform(
    stack: Stack, all_schemas: None, order_system: tuple[str, list[Any]]
) -> AsyncIterator[Platform]:
    unique = uuid.uuid4().hex[:12]
    prefix = f"b{unique}."
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": stack.kafka_bootstrap}
    ledger_settings = LedgerSettings(database_url=SecretStr(stack.url("ledger", "app")), **common)
    credit_settings = CreditSettings(database_url=SecretStr(stack.url("credit", "app")), **common)
    # the order system listens on this machine: the one network webhooks may reach here
    notifications_settings = NotificationsSettings(
        database_url=SecretStr(stack.url("notifications", "app")), order_system_webhook_url=order_system[0],
        webhook_allowed_networks=["127.0.0.1/32"], **common,
    )  # fmt: skip
    producer = build_producer(stack.kafka_bootstrap, "ar-test")
    await producer.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notification_consumers, "get_settings", lambda: notifications_settings)
        try:
            async with (
                running(create_ledger_app(ledger_settings, CLOCK), rollback=False) as ledger,
                running(create_credit_app(credit_settings, CLOCK), rollback=False) as credit,
                running(
                    create_notifications_app(notifications_settings, CLOCK), rollback=False
                ) as notifications,
                client_for(ledger) as lc,
                client_for(credit) as cc,
            ):
                relays = [
                    OutboxRelay(app.state.engine, tables, producer, asyncpg_dsn(stack.url(name, "app")),
                                RelaySettings(topic_prefix=prefix))
                    for app, tables, name in [
                        (ledger, ledger_plumbing, "ledger"), (credit, credit_plumbing, "credit")
                    ]
                ]  # fmt: skip
                runners = [
                    ConsumerRunner(
                        ConsumerSettings(group_id=f"{name}-{unique}", bootstrap_servers=stack.kafka_bootstrap,
                                         topic_prefix=prefix),
                        handlers, app.state.sessionmaker, tables, producer, CLOCK,
                    )
                    for name, handlers, app, tables in [
                        ("credit", credit_handlers, credit, credit_plumbing),
                        ("notifications", notification_handlers, notifications, notification_plumbing),
                    ]
                ]  # fmt: skip
                for runner in runners:
                    await runner.start()
                try:
                    yield Platform(lc, cc, ledger, notifications, relays, runners, notifications_settings,
                                   stack.kafka_bootstrap, prefix)  # fmt: skip
                finally:
                    for runner in runners:
                        await runner.stop()
                    # committed, not rolled back: leave no webhook to a local receiver behind
                    async with notifications.state.sessionmaker() as session, session.begin():
                        await session.execute(delete(Delivery).where(Delivery.recipient == order_system[0]))
        finally:
            await producer.stop()


def entity() -> str:
    return f"BK{uuid.uuid4().hex[:8].upper()}"


async def test_two_entities_in_different_time_zones_judge_on_their_own_dates(platform: Platform) -> None:
    kiritimati, pago_pago = entity(), entity()
    customers = {}
    for name, zone in [(kiritimati, "Pacific/Kiritimati"), (pago_pago, "Pacific/Pago_Pago")]:
        assert (await platform.set_date(name, time_zone=zone)).status_code == 200
        external_id, customers[name] = await platform.customer(name, limit="10000.00")
        await platform.invoice(external_id, "700.00", due=TODAY)  # due today in UTC
    await platform.pump()

    listed = (
        await platform.ledger.get("/v1/business-dates", params={"limit": 500}, headers=platform.admin())
    ).json()
    dates = {i["business_entity"]: i["business_date"] for i in listed["items"]}
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert (dates[kiritimati], dates[pago_pago]) == (tomorrow, TODAY.isoformat())
    # each closed the day it was on and each day its new time zone moved it to
    for name, closed in [(kiritimati, [TODAY.isoformat(), tomorrow]), (pago_pago, [TODAY.isoformat()])]:
        announced = await platform.published("ledger.events", name)
        assert [e["data"]["business_date"] for e in announced] == closed
        assert {e["type"] for e in announced} == {"ar.ledger.BusinessDateChanged.v1"}

    ahead, behind = await platform.check(customers[kiritimati]), await platform.check(customers[pago_pago])
    assert (ahead["business_date"], ahead["exposure"]["oldest_days_past_due"]) == (tomorrow, 1)
    assert ahead["exposure"]["overdue"] == eur("700.00")
    assert (behind["business_date"], behind["exposure"]["oldest_days_past_due"]) == (TODAY.isoformat(), 0)
    assert behind["exposure"]["overdue"] == eur("0.00")


async def test_a_business_date_set_backward_is_refused_and_announces_nothing(platform: Platform) -> None:
    name = entity()
    ahead = TODAY + timedelta(days=3)
    assert (await platform.set_date(name, business_date=ahead.isoformat())).status_code == 200
    refused = await platform.set_date(name, business_date=(ahead - timedelta(days=1)).isoformat())
    assert refused.status_code == 409
    assert refused.json()["code"] == "business_date_backward"
    await platform.pump()
    announced = [e["data"]["business_date"] for e in await platform.published("ledger.events", name)]
    assert announced == [(TODAY + timedelta(days=n)).isoformat() for n in range(4)]


async def test_advancing_thirty_days_announces_each_crossing_once_and_credit_holds_on_the_new_date(
    platform: Platform,
) -> None:
    name = entity()
    external_id, customer_id = await platform.customer(name, limit="10000.00")
    await platform.invoice(external_id, "1000.00", due=TODAY - timedelta(days=5))
    assert (await platform.set_date(name, business_date=TODAY.isoformat())).status_code == 200
    await platform.pump()
    before = await platform.check(customer_id)
    assert (before["decision"], before["exposure"]["oldest_days_past_due"]) == ("approved", 5)

    target = TODAY + timedelta(days=30)
    advanced = await platform.set_date(name, business_date=target.isoformat())
    assert advanced.status_code == 200, advanced.text
    assert advanced.json()["last_closed"] == target.isoformat()
    await platform.pump()

    past_due = [e["data"] for e in await platform.published("ledger.events", customer_id)
                if e["type"] == "ar.ledger.AccountPastDue.v1"]  # fmt: skip
    assert [(e["as_of"], e["bucket"], e["oldest_days_past_due"]) for e in past_due] == [
        (TODAY.isoformat(), "1-30", 5),  # the first overdue invoice, on the first day closed
        ((TODAY + timedelta(days=26)).isoformat(), "31-60", 31),  # the one crossing of the 30 days
    ]
    days = [e["data"]["business_date"] for e in await platform.published("ledger.events", name)]
    assert days == [(TODAY + timedelta(days=n)).isoformat() for n in range(31)]  # each business day once

    after = await platform.check(customer_id)
    assert after["business_date"] == target.isoformat()
    assert (after["decision"], after["exposure"]["oldest_days_past_due"]) == ("held", 35)
    assert [(h["reason_code"], h["source"]) for h in after["holds"]] == [("past_due", "policy")]


async def test_an_order_blocked_over_the_limit_is_released_by_a_payment_and_the_order_system_hears(
    platform: Platform, order_system: tuple[str, list[tuple[dict[str, str], bytes]]]
) -> None:
    name = entity()
    external_id, customer_id = await platform.customer(name, limit="1000.00")
    invoice = await platform.invoice(external_id, "1000.00", due=TODAY + timedelta(days=30))
    await platform.pump()
    order = await platform.credit.post(
        "/v1/credit-decisions",
        json={
            "order_reference": f"SO-{uuid.uuid4().hex[:8]}",
            "customer_id": customer_id,
            "amount": eur("400.00"),
        },
        headers=platform.manager(),
    )
    assert (order.status_code, order.json()["status"]) == (201, "refused")
    reference = order.json()["order_reference"]

    await platform.post(
        "/v1/payments",
        {"customer_external_id": external_id, "amount": eur("500.00"), "received_on": TODAY.isoformat(),
         "allocations": [{"invoice_id": invoice["id"], "amount": eur("500.00")}]},
    )  # fmt: skip
    await platform.pump()  # ledger -> credit (released) -> notifications (webhook queued)
    queue = (
        await platform.credit.get(
            "/v1/credit-decisions", params={"customer_id": customer_id}, headers=platform.manager()
        )
    ).json()["items"]
    assert [(d["order_reference"], d["status"]) for d in queue] == [(reference, "approved")]
    (change,) = [e["data"] for e in await platform.published("credit.events", customer_id)
                 if e["type"] == "ar.credit.CreditDecisionChanged.v1"]  # fmt: skip
    assert (change["order_reference"], change["previous_status"], change["status"]) == (
        reference,
        "refused",
        "approved",
    )

    settings = platform.notifications
    await dispatch_due(
        platform.notifications_app.state.sessionmaker,
        settings,
        Senders.from_settings(settings, CLOCK),
        CLOCK.now(),
    )
    _, received = order_system
    mine = [(h, b) for h, b in received if json.loads(b)["context"]["order_reference"] == reference]
    [(headers, body)] = mine
    expected = sign(settings.webhook_secret.get_secret_value(), headers[TIMESTAMP_HEADER.lower()], body)
    assert headers[SIGNATURE_HEADER.lower()] == f"v1={expected}"
    assert json.loads(body)["context"]["status"] == "approved"
