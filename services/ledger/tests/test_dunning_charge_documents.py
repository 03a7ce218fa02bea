"""The ledger's first consumer: DunningChargeRequested from collections, delivered over the real
Kafka broker, issues one fee document per request id, even when the same event is delivered
twice or two events carry the same request id; the document is an open item of the customer (in
open items, aging and the statement), balanced in the journal, announced as InvoiceIssued."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ar_ledger.config import LedgerSettings
from ar_ledger.consumers import handlers
from ar_ledger.dunning_charges.service import issue_charge_document
from ar_ledger.main import create_app
from ar_ledger.models import Invoice, JournalEntry, JournalLine, plumbing
from ar_ledger.postings.engine import write_rows
from ar_ledger.postings.rows import NewChargeDocument
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.events.collections import ChargedItem, DunningChargeRequested
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.money import MoneyTotal, PositiveMoneyAmount
from ar_shared.relay import build_producer
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.kafka import read_topic
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

CHARGED_ON = date(2026, 7, 10)


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


def fee_request(
    customer_id: uuid.UUID, invoice_id: uuid.UUID, request_id: uuid.UUID
) -> DunningChargeRequested:
    return DunningChargeRequested(
        request_id=request_id, customer_id=customer_id, kind="fee", level=1,
        amount=PositiveMoneyAmount(amount="5.00", currency="EUR"), as_of=CHARGED_ON, invoice_ids=[invoice_id],
        days_past_due=20, strategy="strategy:standard@1", step_days=20,
    )  # fmt: skip


def interest_request(customer_id: uuid.UUID, invoice_id: uuid.UUID) -> DunningChargeRequested:
    return DunningChargeRequested(
        request_id=uuid.uuid4(), customer_id=customer_id, kind="interest", day_count="act_365",
        amount=PositiveMoneyAmount(amount="5.35", currency="EUR"), as_of=CHARGED_ON, invoice_ids=[invoice_id],
        items=[
            ChargedItem(
                invoice_id=invoice_id, open_balance=MoneyTotal(amount="1000.00", currency="EUR"),
                interest_from=date(2026, 6, 21), days_late=20,
                interest=MoneyTotal(amount="5.35", currency="EUR"),
            )
        ],
        days_past_due=20, strategy="strategy:standard@1", step_days=20,
    )  # fmt: skip


async def deliver_over_kafka(stack: Stack, app: Any, unique: str, envelopes: list[CloudEvent]) -> int:
    """Publishes the envelopes on a topic of the test's own and runs the ledger's consumer on it
    until each was handled; returns how many messages it handled."""
    prefix = f"t{unique}."
    producer = build_producer(stack.kafka_bootstrap, "ar-test")
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(
                prefix + DunningChargeRequested.topic(),
                value=envelope.to_json_bytes(),
                key=str(envelope.subject).encode(),
            )
        runner = ConsumerRunner(
            ConsumerSettings(
                group_id=f"ledger-{unique}", bootstrap_servers=stack.kafka_bootstrap, topic_prefix=prefix
            ),
            handlers,
            app.state.sessionmaker,
            plumbing,
            producer,
        )
        await runner.start()
        handled = 0
        try:
            async with asyncio.timeout(30):
                while handled < len(envelopes):
                    handled += await runner.poll_once(timeout_ms=200)
        finally:
            await runner.stop()
        return handled
    finally:
        await producer.stop()


async def customer_with_invoice(
    client: httpx.AsyncClient, headers: dict[str, str], unique: str
) -> tuple[uuid.UUID, uuid.UUID]:
    external_id = f"FEE-{unique}"
    body = {
        "name": "Late Payer",
        "currency": "EUR",
        "payment_terms_days": 30,
        "business_entity": f"F{unique}",
    }
    created = await client.put(f"/v1/customers/external/{external_id}", json=body, headers=headers)
    assert created.status_code == 201, created.text
    invoice = await client.post(
        "/v1/invoices",
        json={"customer_external_id": external_id, "invoice_number": "INV-1", "issue_date": "2026-05-21",
              "due_date": "2026-06-20", "amount": eur("1000.00")},
        headers=headers,
    )  # fmt: skip
    assert invoice.status_code == 201, invoice.text
    return uuid.UUID(created.json()["id"]), uuid.UUID(invoice.json()["id"])


async def test_a_fee_requested_once_is_issued_once_even_when_delivered_twice_or_requested_twice(
    ledger_settings: LedgerSettings, ledger_schema: None, stack: Stack, unique: str
) -> None:
    headers = bearer(ledger_settings.auth, "ledger:write", "ledger:read")
    async with (
        running(create_app(ledger_settings, TEST_CLOCK), rollback=False) as app,
        client_for(app) as client,
    ):
        customer_id, invoice_id = await customer_with_invoice(client, headers, unique)
        request_id = uuid.uuid4()
        fee = CloudEvent.wrap(fee_request(customer_id, invoice_id, request_id))
        again: EventPayload = fee_request(
            customer_id, invoice_id, request_id
        )  # a new event, the same request
        interest = CloudEvent.wrap(interest_request(customer_id, invoice_id))

        handled = await deliver_over_kafka(stack, app, unique, [fee, fee, CloudEvent.wrap(again), interest])
        assert handled == 4

        async with app.state.sessionmaker() as session:
            documents = (
                await session.scalars(
                    select(Invoice).where(Invoice.customer_id == customer_id).order_by(Invoice.invoice_number)
                )
            ).all()
            issued = (
                await session.scalars(
                    select(plumbing.outbox.c.envelope).where(
                        plumbing.outbox.c.event_type == "ar.ledger.InvoiceIssued.v1",
                        plumbing.outbox.c.message_key == str(customer_id),
                    )
                )
            ).all()
            entry_lines = (
                await session.execute(
                    select(
                        JournalEntry.kind,
                        JournalLine.account,
                        JournalLine.debit_minor,
                        JournalLine.credit_minor,
                    )
                    .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
                    .where(JournalEntry.document_id == request_id)
                    .order_by(JournalLine.debit_minor.desc())
                )
            ).all()
            inboxed = await session.scalar(
                select(func.count())
                .select_from(plumbing.inbox)
                .where(plumbing.inbox.c.consumer_group == f"ledger-{unique}")
            )

        assert [(d.invoice_number[:3], d.document_kind, d.amount_minor, d.open_minor) for d in documents] == [
            ("DF-", "dunning_fee", 500, 500),
            ("INV", "invoice", 100000, 100000),
            ("LI-", "late_interest", 535, 535),
        ]
        fee_document = documents[0]
        assert (fee_document.id, fee_document.charge_request_id) == (request_id, request_id)
        assert (fee_document.issue_date, fee_document.due_date) == (CHARGED_ON, CHARGED_ON)
        assert inboxed == 3  # the inbox kept three distinct events: the duplicate delivery was skipped
        assert [tuple(r) for r in entry_lines] == [
            ("dunning_fee_issued", "accounts_receivable", 500, 0),
            ("dunning_fee_issued", "dunning_fee_income", 0, 500),
        ]
        kinds = sorted(e["data"]["document_kind"] for e in issued)
        assert kinds == ["dunning_fee", "invoice", "late_interest"]

        shown = (await client.get(f"/v1/invoices/{request_id}", headers=headers)).json()
        assert (shown["document_kind"], shown["amount"], shown["status"]) == (
            "dunning_fee",
            eur("5.00"),
            "open",
        )
        open_items = await client.get(
            "/v1/reports/open-items",
            params={"as_of": "2026-07-11", "customer_id": str(customer_id)},
            headers=headers,
        )
        assert open_items.status_code == 200, open_items.text
        assert sorted((i["invoice_number"][:3], i["open_balance"]) for i in open_items.json()["items"]) == [
            ("DF-", "5.00"), ("INV", "1000.00"), ("LI-", "5.35"),
        ]  # fmt: skip
        assert open_items.json()["totals"] == {"EUR": "1010.35"}
        statement = await client.get(
            f"/v1/reports/statements/{customer_id}",
            params={"period_start": "2026-07-01", "period_end": "2026-07-31"},
            headers=headers,
        )
        assert statement.status_code == 200, statement.text
        assert sorted((line["kind"], line["amount"]) for line in statement.json()["lines"]) == [
            ("dunning_fee_issued", "5.00"), ("late_interest_issued", "5.35"),
        ]  # fmt: skip
        assert statement.json()["closing_balance"] == "1010.35"
        aging = await client.get(
            "/v1/reports/aging",
            params={"as_of": "2026-07-11", "customer_id": str(customer_id)},
            headers=headers,
        )
        assert aging.status_code == 200, aging.text
        [row] = aging.json()["rows"]
        # the invoice is 21 days past due, the fee documents (due on July 10) 1 day
        assert (row["total"], row["buckets"]["1-30"]) == ("1010.35", "1010.35")
        kpis = await client.get(
            "/v1/reports/kpis",
            params={
                "period_start": "2026-05-01",
                "period_end": "2026-07-31",
                "customer_id": str(customer_id),
            },
            headers=headers,
        )
        assert kpis.status_code == 200, kpis.text
        [line] = kpis.json()["lines"]
        # fees are receivables, not sales: ending AR holds them, credit sales do not
        assert (line["credit_sales"], line["ending_ar"]) == ("1000.00", "1010.35")


async def test_the_database_refuses_a_second_fee_document_for_one_request_even_past_the_lookup(
    ledger_settings: LedgerSettings, ledger_schema: None, unique: str
) -> None:
    headers = bearer(ledger_settings.auth, "ledger:write", "ledger:read")
    async with running(create_app(ledger_settings, TEST_CLOCK)) as app, client_for(app) as client:
        customer_id, invoice_id = await customer_with_invoice(client, headers, unique)
        request = fee_request(customer_id, invoice_id, uuid.uuid4())
        async with app.state.sessionmaker() as session:
            assert await issue_charge_document(session, request) is True
            assert await issue_charge_document(session, request) is False  # found: nothing twice
            # a writer that skipped the lookup still cannot issue a second document for the request
            second = NewChargeDocument(
                id=uuid.uuid4(), customer_id=customer_id, business_entity=f"F{unique}",
                invoice_number="DF-OTHER",
                issue_date=CHARGED_ON, due_date=CHARGED_ON, currency="EUR", amount_minor=500, open_minor=500,
                status="open", order_reference=None, po_number=None, version=1, created_at=TEST_CLOCK.now(),
                document_kind="dunning_fee", charge_request_id=request.request_id,
            )  # fmt: skip
            with pytest.raises(IntegrityError, match="uq_invoices_charge_request"):
                await write_rows(session, Invoice.__table__, [second])


async def test_a_charge_in_another_currency_than_the_customers_is_dead_lettered_and_issues_nothing(
    ledger_settings: LedgerSettings, ledger_schema: None, stack: Stack, unique: str
) -> None:
    headers = bearer(ledger_settings.auth, "ledger:write", "ledger:read")
    async with (
        running(create_app(ledger_settings, TEST_CLOCK), rollback=False) as app,
        client_for(app) as client,
    ):
        customer_id, invoice_id = await customer_with_invoice(client, headers, unique)
        request = fee_request(customer_id, invoice_id, uuid.uuid4()).model_copy(
            update={"amount": PositiveMoneyAmount(amount="5.00", currency="USD")}
        )
        assert await deliver_over_kafka(stack, app, unique, [CloudEvent.wrap(request)]) == 1

        [dead] = await read_topic(stack.kafka_bootstrap, f"deadletter.ledger-{unique}", expected=1)
        reasons = dict(dead.headers)
        assert (reasons["dlt.error.type"], reasons["dlt.attempts"]) == (b"PoisonMessage", b"1")
        assert b"currency_mismatch" in reasons["dlt.error"]
        async with app.state.sessionmaker() as session:
            documents = await session.scalar(
                select(func.count())
                .select_from(Invoice)
                .where(Invoice.charge_request_id == request.request_id)
            )
        assert documents == 0
