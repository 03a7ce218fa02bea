"""What collections asks of the ledger: a credit memo answering a CreditMemoRequested carries its
request id (once per request), an allocation paid short carries its deduction reason onto
PaymentApplied, and an approved write-off is written off once, capped at what is still open."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_ledger.consumers import handlers
from ar_ledger.models import CreditMemo, WriteOff, plumbing
from ar_shared.consumer import HandlerContext
from ar_shared.events.collections import WriteOffApproved
from ar_shared.events.envelope import CloudEvent
from ar_shared.money import MoneyAmount
from ar_shared.outbox import OutboxWriter

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def invoice(client: httpx.AsyncClient, writer: dict[str, str], amount: str) -> tuple[str, str]:
    external_id = f"CR-{uuid.uuid4().hex[:8]}"
    customer = await client.put(
        f"/v1/customers/external/{external_id}",
        json={"name": external_id, "currency": "EUR", "payment_terms_days": 30, "business_entity": "DE01"},
        headers=writer,
    )
    assert customer.status_code == 201, customer.text
    issued = await client.post(
        "/v1/invoices",
        json={
            "customer_external_id": external_id,
            "invoice_number": f"I-{uuid.uuid4().hex[:8]}",
            "issue_date": "2026-10-01",
            "amount": eur(amount),
        },
        headers=writer,
    )
    assert issued.status_code == 201, issued.text
    return str(customer.json()["id"]), str(issued.json()["id"])


async def outbox_data(app: FastAPI, event_type: str, customer_id: str) -> list[dict[str, Any]]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(plumbing.outbox.c.envelope)
            .where(
                plumbing.outbox.c.event_type == f"ar.ledger.{event_type}.v1",
                plumbing.outbox.c.message_key == customer_id,
            )
            .order_by(plumbing.outbox.c.id)
        )
        return [dict(e["data"]) for e in rows.all()]


async def test_a_credit_memo_carries_the_request_it_answers_and_answers_it_once(
    client: httpx.AsyncClient, writer: dict[str, str], ledger_app: FastAPI
) -> None:
    customer_id, invoice_id = await invoice(client, writer, "500.00")
    request_id, dispute_id = str(uuid.uuid4()), str(uuid.uuid4())
    memo = {
        "customer_id": customer_id,
        "memo_number": "CM-1",
        "issue_date": "2026-10-15",
        "amount": eur("120.00"),
        "invoice_id": invoice_id,
        "reason_code": "pricing",
        "request_id": request_id,
        "dispute_id": dispute_id,
    }
    posted = await client.post("/v1/credit-memos", json=memo, headers=writer)
    assert posted.status_code == 201, posted.text
    assert (posted.json()["request_id"], posted.json()["dispute_id"]) == (request_id, dispute_id)
    (issued,) = await outbox_data(ledger_app, "CreditMemoIssued", customer_id)
    assert (issued["request_id"], issued["dispute_id"]) == (request_id, dispute_id)
    again = await client.post("/v1/credit-memos", json={**memo, "memo_number": "CM-2"}, headers=writer)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["code"] == "duplicate_memo_request"
    async with ledger_app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(CreditMemo)
            .where(CreditMemo.customer_id == uuid.UUID(customer_id))
        )
    assert count == 1
    # a memo without a request is as before
    plain = await client.post(
        "/v1/credit-memos",
        json={**memo, "memo_number": "CM-3", "request_id": None, "dispute_id": None, "amount": eur("10.00")},
        headers=writer,
    )
    assert plain.status_code == 201, plain.text
    assert plain.json()["request_id"] is None


async def test_an_allocation_paid_short_carries_its_deduction_reason_onto_payment_applied(
    client: httpx.AsyncClient, writer: dict[str, str], ledger_app: FastAPI
) -> None:
    customer_id, invoice_id = await invoice(client, writer, "1000.00")
    paid = await client.post(
        "/v1/payments",
        json={
            "customer_id": customer_id,
            "amount": eur("940.00"),
            "received_on": "2026-11-01",
            "allocations": [
                {"invoice_id": invoice_id, "amount": eur("940.00"), "deduction_reason": "damaged_goods"}
            ],
        },
        headers=writer,
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["applications"][0]["deduction_reason"] == "damaged_goods"
    (applied,) = await outbox_data(ledger_app, "PaymentApplied", customer_id)
    assert applied["deduction_reason"] == "damaged_goods"
    assert applied["invoice_open_balance"] == eur("60.00")


async def deliver(app: FastAPI, payload: WriteOffApproved) -> None:
    registration = handlers.get(payload.event_type())
    assert registration is not None
    async with app.state.sessionmaker() as session:
        await registration.handler(
            HandlerContext(session, CloudEvent.wrap(payload), OutboxWriter(plumbing), app.state.clock),
            payload,
        )
        await session.commit()


def approval(
    customer_id: str, invoice_id: str, amount: str, recommendation_id: uuid.UUID
) -> WriteOffApproved:
    return WriteOffApproved(
        recommendation_id=recommendation_id,
        customer_id=uuid.UUID(customer_id),
        invoice_id=uuid.UUID(invoice_id),
        amount=MoneyAmount(amount=amount, currency="EUR"),
        reason_code="uncollectable",
        effective_date=date(2026, 11, 30),
        recommended_by="collector-anna",
        approved_by="collections-manager",
    )


async def test_an_approved_write_off_is_written_off_once_capped_at_what_is_still_open(
    client: httpx.AsyncClient, writer: dict[str, str], ledger_app: FastAPI
) -> None:
    customer_id, invoice_id = await invoice(client, writer, "100.00")
    paid = await client.post(
        "/v1/payments",
        json={"customer_id": customer_id, "amount": eur("80.00"), "received_on": "2026-11-01"},
        headers=writer,
    )
    assert paid.status_code == 201, paid.text
    recommendation_id = uuid.uuid4()
    # recommended at 30.00, but a payment left only 20.00 open since
    await deliver(ledger_app, approval(customer_id, invoice_id, "30.00", recommendation_id))
    await deliver(ledger_app, approval(customer_id, invoice_id, "30.00", recommendation_id))
    async with ledger_app.state.sessionmaker() as session:
        written = (
            await session.scalars(select(WriteOff).where(WriteOff.request_id == recommendation_id))
        ).all()
    assert [(w.amount_minor, w.reason_code) for w in written] == [(2000, "uncollectable")]
    after = await client.get(f"/v1/invoices/{invoice_id}", headers=writer)
    assert after.json()["open_balance"]["amount"] == "0.00"
    # nothing open: a later approval for the same invoice writes nothing off
    await deliver(ledger_app, approval(customer_id, invoice_id, "5.00", uuid.uuid4()))
    async with ledger_app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(WriteOff).where(WriteOff.invoice_id == uuid.UUID(invoice_id))
        )
    assert count == 1
