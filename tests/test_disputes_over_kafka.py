"""Disputes and write-offs between collections and the ledger, over real Kafka: a valid dispute's
CreditMemoRequested reaches Kafka, the ERP posts the memo through the ledger's API with the request
id, and the ledger's CreditMemoIssued closes the case (credit keeps the disputed amount apart
meanwhile, per item); a payment allocated short with a deduction
reason opens a deduction case; an approved write-off is written off once by the ledger even when
its event is delivered twice (the same event again, and a copy under a new event id)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from ar_collections.access import act_as_system
from ar_collections.config import CollectionsSettings
from ar_collections.consumers import handlers as collections_handlers
from ar_collections.main import create_app as create_collections_app
from ar_collections.models import plumbing as collections_plumbing
from ar_collections.recording import outbox as collections_outbox
from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers as credit_handlers
from ar_credit.main import create_app as create_credit_app
from ar_credit.models import CreditDispute
from ar_credit.models import plumbing as credit_plumbing
from ar_ledger.config import LedgerSettings
from ar_ledger.consumers import handlers as ledger_handlers
from ar_ledger.main import create_app as create_ledger_app
from ar_ledger.models import Invoice, WriteOff
from ar_ledger.models import plumbing as ledger_plumbing
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn
from ar_shared.events.collections import WriteOffApproved
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

TODAY = TEST_CLOCK.now().date()


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@dataclass
class Rig:
    ledger: httpx.AsyncClient
    collections: httpx.AsyncClient
    ledger_app: FastAPI
    collections_app: FastAPI
    ledger_relay: OutboxRelay
    collections_relay: OutboxRelay
    into_collections: ConsumerRunner
    into_ledger: ConsumerRunner
    into_credit: ConsumerRunner
    credit_app: FastAPI
    bootstrap: str
    prefix: str

    def ledger_admin(self) -> dict[str, str]:
        return bearer(self.ledger_app.state.settings.auth, "admin", subject="erp", clock=TEST_CLOCK)

    def manager(self, subject: str = "collections-manager") -> dict[str, str]:
        auth = self.collections_app.state.settings.auth
        return bearer(auth, "collections:manage", "collections:work", subject=subject, clock=TEST_CLOCK)

    @staticmethod
    async def _until_idle(runner: ConsumerRunner) -> None:
        idle = 0
        async with asyncio.timeout(120):
            while idle < 3:
                idle = idle + 1 if await runner.poll_once(timeout_ms=300) == 0 else 0

    async def ledger_to_collections(self) -> None:
        await self.ledger_relay.drain()
        await self._until_idle(self.into_collections)
        await self._until_idle(self.into_credit)

    async def collections_to_ledger(self) -> None:
        await self.collections_relay.drain()
        await self._until_idle(self.into_ledger)
        await self._until_idle(self.into_credit)

    async def credit_disputes(self, customer_id: str) -> list[tuple[str, int, bool]]:
        async with self.credit_app.state.sessionmaker() as session:
            rows = await session.scalars(
                select(CreditDispute).where(CreditDispute.customer_id == uuid.UUID(customer_id))
            )
            return [(str(d.id), d.amount_minor, d.open) for d in rows.all()]

    async def published(self, topic: str, key: str, event_type: str) -> list[dict[str, Any]]:
        consumer = AIOKafkaConsumer(
            self.prefix + topic,
            bootstrap_servers=self.bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        found: list[dict[str, Any]] = []
        try:
            while batch := await consumer.getmany(timeout_ms=1500):
                for records in batch.values():
                    found += [json.loads(r.value or b"") for r in records if r.key == key.encode()]
        finally:
            await consumer.stop()
        return [e for e in found if e["type"] == f"ar.collections.{event_type}.v1"]

    async def customer_with_invoice(self, amount: str) -> tuple[str, str]:
        external_id = f"DK-{uuid.uuid4().hex[:10]}"
        customer = await self.ledger.put(
            f"/v1/customers/external/{external_id}",
            json={
                "name": "Dispute Ltd",
                "currency": "EUR",
                "payment_terms_days": 30,
                "business_entity": "DE01",
            },
            headers=self.ledger_admin(),
        )
        assert customer.status_code == 201, customer.text
        invoice = await self.ledger.post(
            "/v1/invoices",
            json={
                "customer_external_id": external_id,
                "invoice_number": f"DK-{uuid.uuid4().hex[:8]}",
                "issue_date": (TODAY - timedelta(days=40)).isoformat(),
                "due_date": (TODAY - timedelta(days=10)).isoformat(),
                "amount": eur(amount),
            },
            headers=self.ledger_admin(),
        )
        assert invoice.status_code == 201, invoice.text
        await self.ledger_to_collections()
        return str(customer.json()["id"]), str(invoice.json()["id"])


@pytest.fixture(scope="module")
async def rig(stack: Stack, all_schemas: None) -> AsyncIterator[Rig]:
    unique = uuid.uuid4().hex[:12]
    prefix = f"d{unique}."
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": stack.kafka_bootstrap}
    ledger_settings = LedgerSettings(database_url=SecretStr(stack.url("ledger", "app")), **common)
    collections_settings = CollectionsSettings(
        database_url=SecretStr(stack.url("collections", "app")), **common
    )
    credit_settings = CreditSettings(database_url=SecretStr(stack.url("credit", "app")), **common)
    producer = build_producer(stack.kafka_bootstrap, "ar-test")
    await producer.start()
    try:
        async with (
            running(create_ledger_app(ledger_settings, TEST_CLOCK), rollback=False) as ledger,
            running(create_collections_app(collections_settings, TEST_CLOCK), rollback=False) as collections,
            running(create_credit_app(credit_settings, TEST_CLOCK), rollback=False) as credit,
            client_for(ledger) as ledger_client,
            client_for(collections) as collections_client,
        ):
            relays = [
                OutboxRelay(
                    app.state.engine, plumbing, producer, asyncpg_dsn(url), RelaySettings(topic_prefix=prefix)
                )
                for app, plumbing, url in (
                    (ledger, ledger_plumbing, stack.url("ledger", "app")),
                    (collections, collections_plumbing, stack.url("collections", "app")),
                )
            ]
            runners = [
                ConsumerRunner(
                    ConsumerSettings(
                        group_id=f"{name}-{unique}",
                        bootstrap_servers=stack.kafka_bootstrap,
                        topic_prefix=prefix,
                        retry_backoff_seconds=0.05,
                    ),
                    handlers,
                    app.state.sessionmaker,
                    plumbing,
                    producer,
                    TEST_CLOCK,
                )
                for name, handlers, app, plumbing in (
                    ("collections", collections_handlers, collections, collections_plumbing),
                    ("ledger", ledger_handlers, ledger, ledger_plumbing),
                    ("credit", credit_handlers, credit, credit_plumbing),
                )
            ]
            for runner in runners:
                await runner.start()
            try:
                yield Rig(
                    ledger_client,
                    collections_client,
                    ledger,
                    collections,
                    relays[0],
                    relays[1],
                    runners[0],
                    runners[1],
                    runners[2],
                    credit,
                    stack.kafka_bootstrap,
                    prefix,
                )
            finally:
                for runner in runners:
                    await runner.stop()
    finally:
        await producer.stop()


async def test_a_valid_dispute_is_closed_by_the_credit_memo_the_erp_posts_with_its_request_id(
    rig: Rig,
) -> None:
    customer_id, invoice_id = await rig.customer_with_invoice("500.00")
    opened = await rig.collections.post(
        f"/v1/accounts/{customer_id}/disputes",
        json={"items": [{"invoice_id": invoice_id, "amount": eur("120.00")}], "reason_code": "pricing"},
        headers=rig.manager(),
    )
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]
    (item_id,) = [i["id"] for i in opened.json()["items"]]
    await rig.collections_to_ledger()
    assert await rig.credit_disputes(customer_id) == [(item_id, 12000, True)]
    resolved = await rig.collections.post(
        f"/v1/disputes/{case_id}/status",
        json={"status": "resolved_valid", "root_cause_code": "billing_error"},
        headers=rig.manager(),
    )
    assert resolved.status_code == 200, resolved.text
    await rig.collections_to_ledger()
    # the ERP subscribes to collections.events and answers the request through the ledger's API
    (requested,) = await rig.published("collections.events", customer_id, "CreditMemoRequested")
    data = requested["data"]
    memo = {
        "customer_id": customer_id,
        "memo_number": f"CM-{uuid.uuid4().hex[:8]}",
        "issue_date": TODAY.isoformat(),
        "amount": data["amount"],
        "invoice_id": data["invoice_id"],
        "reason_code": data["reason_code"],
        "request_id": data["request_id"],
        "dispute_id": data["dispute_id"],
    }
    posted = await rig.ledger.post("/v1/credit-memos", json=memo, headers=rig.ledger_admin())
    assert posted.status_code == 201, posted.text
    assert posted.json()["request_id"] == data["request_id"]
    twice = await rig.ledger.post(
        "/v1/credit-memos",
        json={**memo, "memo_number": f"CM-{uuid.uuid4().hex[:8]}"},
        headers=rig.ledger_admin(),
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "duplicate_memo_request"
    await rig.ledger_to_collections()
    case = (await rig.collections.get(f"/v1/disputes/{case_id}", headers=rig.manager())).json()
    assert case["closed"] is True
    assert case["items"][0]["credit_memo_id"] == posted.json()["id"]
    assert case["history"][-1]["to_status"] == "closed"
    assert await rig.credit_disputes(customer_id) == [(item_id, 12000, False)]
    dunning = (await rig.collections.get(f"/v1/accounts/{customer_id}/dunning", headers=rig.manager())).json()
    assert dunning["live_pauses"] == []


async def test_a_payment_allocated_short_with_a_deduction_reason_opens_a_deduction_case(rig: Rig) -> None:
    customer_id, invoice_id = await rig.customer_with_invoice("1000.00")
    paid = await rig.ledger.post(
        "/v1/payments",
        json={
            "customer_id": customer_id,
            "amount": eur("940.00"),
            "received_on": TODAY.isoformat(),
            "allocations": [
                {"invoice_id": invoice_id, "amount": eur("940.00"), "deduction_reason": "damaged_goods"}
            ],
        },
        headers={**rig.ledger_admin(), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert paid.status_code == 201, paid.text
    await rig.ledger_to_collections()
    listed = await rig.collections.get(f"/v1/accounts/{customer_id}/disputes", headers=rig.manager())
    (case,) = listed.json()["items"]
    assert case["kind"] == "deduction"
    assert case["reason_code"] == "damaged_goods"
    assert case["amount"] == eur("60.00")
    assert case["items"][0]["invoice_id"] == invoice_id


async def test_an_approved_write_off_is_written_off_once_even_when_delivered_twice(rig: Rig) -> None:
    customer_id, invoice_id = await rig.customer_with_invoice("80.00")
    raised = await rig.collections.post(
        f"/v1/accounts/{customer_id}/recommendations",
        json={
            "kind": "write_off",
            "invoice_id": invoice_id,
            "amount": eur("30.00"),
            "reason_code": "uncollectable",
        },
        headers=rig.manager("collections-lead"),
    )
    assert raised.status_code == 201, raised.text
    recommendation_id = raised.json()["id"]
    approved = await rig.collections.post(
        f"/v1/recommendations/{recommendation_id}/decision",
        json={"decision": "approve"},
        headers=rig.manager(),
    )
    assert approved.status_code == 200, approved.text
    await rig.collections_to_ledger()
    # the same event published again (a relay restarted mid-batch) …
    async with rig.collections_app.state.engine.begin() as conn:
        o = collections_plumbing.outbox
        await conn.execute(
            o.update()
            .where(o.c.message_key == customer_id, o.c.event_type == "ar.collections.WriteOffApproved.v1")
            .values(published_at=None)
        )
    # … and a copy of it under a new event id
    async with rig.collections_app.state.sessionmaker() as session:
        await act_as_system(session)
        (original,) = await rig.published("collections.events", customer_id, "WriteOffApproved")
        await collections_outbox.add(session, WriteOffApproved.model_validate(original["data"]))
        await session.commit()
    await rig.collections_to_ledger()
    assert len(await rig.published("collections.events", customer_id, "WriteOffApproved")) == 3
    async with rig.ledger_app.state.sessionmaker() as session:
        written = (
            await session.scalars(select(WriteOff).where(WriteOff.request_id == uuid.UUID(recommendation_id)))
        ).all()
        invoice = await session.get(Invoice, uuid.UUID(invoice_id))
    assert [(w.amount_minor, w.reason_code) for w in written] == [(3000, "uncollectable")]
    assert invoice is not None
    assert invoice.open_minor == 5000
