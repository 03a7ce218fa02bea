"""Invoices API: issue one or in bulk, void, list; every bad input refused whole."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_ledger.models import Customer, Invoice, JournalLine, plumbing

pytestmark = pytest.mark.integration


async def customer(
    client: httpx.AsyncClient, writer: dict[str, str], external_id: str, **overrides: Any
) -> str:
    body = {
        "name": "Acme",
        "currency": "EUR",
        "payment_terms_days": 30,
        "business_entity": "DE01",
    } | overrides
    response = await client.put(f"/v1/customers/external/{external_id}", json=body, headers=writer)
    assert response.status_code in {200, 201}
    return str(response.json()["id"])


def invoice(number: str, amount: str = "100.00", currency: str = "EUR", **overrides: Any) -> dict[str, Any]:
    return {
        "customer_external_id": "C-1",
        "invoice_number": number,
        "issue_date": "2026-10-01",
        "amount": {"amount": amount, "currency": currency},
    } | overrides


async def test_issued_invoice_is_open_due_after_the_terms_and_posted_to_the_journal(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    customer_id = await customer(client, writer, "C-1")
    response = await client.post("/v1/invoices", json=invoice("INV-1", "1190.00"), headers=writer)
    assert response.status_code == 201
    body = response.json()
    assert body["due_date"] == "2026-10-31"  # 30 days net
    assert body["open_balance"] == {"amount": "1190.00", "currency": "EUR"}
    assert body["status"] == "open"
    async with ledger_app.state.sessionmaker() as session:
        lines = (
            await session.scalars(select(JournalLine).where(JournalLine.invoice_id == uuid.UUID(body["id"])))
        ).all()
        assert {(line.account, line.debit_minor, line.credit_minor) for line in lines} == {
            ("accounts_receivable", 119000, 0),
            ("sales", 0, 119000),
        }
        cust = await session.get(Customer, uuid.UUID(customer_id))
        assert cust is not None
        assert cust.open_ar_minor == 119000
        o = plumbing.outbox
        types = (await session.scalars(select(o.c.event_type).where(o.c.message_key == customer_id))).all()
        assert "ar.ledger.InvoiceIssued.v1" in types


async def test_idempotent_issue_replays_and_a_duplicate_number_conflicts(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await customer(client, writer, "C-1")
    headers = writer | {"Idempotency-Key": "inv-77"}
    first = await client.post("/v1/invoices", json=invoice("INV-77"), headers=headers)
    replay = await client.post("/v1/invoices", json=invoice("INV-77"), headers=headers)
    assert replay.json() == first.json()
    duplicate = await client.post("/v1/invoices", json=invoice("INV-77"), headers=writer)
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_invoice_number"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"amount": "0.00"}, 422, "validation_error"),
        ({"amount": "-5.00"}, 422, "validation_error"),
        ({"due_date": "2026-09-30"}, 422, "validation_error"),
        ({"currency": "USD"}, 422, "currency_mismatch"),
        ({"customer_external_id": "NOPE"}, 422, "customer_not_found"),
        ({"amount": "10.001"}, 422, "validation_error"),
    ],
    ids=["zero", "negative", "due-before-issue", "wrong-currency", "unknown-customer", "too-many-decimals"],
)
async def test_bad_invoices_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient,
    ledger_app: FastAPI,
    writer: dict[str, str],
    overrides: dict[str, Any],
    status: int,
    code: str,
) -> None:
    await customer(client, writer, "C-1")
    response = await client.post("/v1/invoices", json=invoice("INV-BAD", **overrides), headers=writer)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    async with ledger_app.state.sessionmaker() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Invoice).where(Invoice.invoice_number == "INV-BAD")
            )
            == 0
        )


async def test_bulk_issue_is_all_or_nothing_with_every_error_indexed(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    await customer(client, writer, "C-1")
    await client.post("/v1/invoices", json=invoice("B-EXISTS"), headers=writer)
    items = [
        invoice("B-1"),
        invoice("B-2", customer_external_id="NOPE"),
        invoice("B-1"),
        invoice("B-EXISTS"),
        invoice("B-5", currency="USD"),
    ]
    response = await client.post("/v1/invoices/bulk", json={"items": items}, headers=writer)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("items.1.customer", "customer_not_found"),
        ("items.2.invoice_number", "duplicate_invoice_number"),
        ("items.3.invoice_number", "duplicate_invoice_number"),
        ("items.4.amount.currency", "currency_mismatch"),
    ]
    async with ledger_app.state.sessionmaker() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Invoice).where(Invoice.invoice_number == "B-1")
            )
            == 0
        )


async def test_bulk_issue_writes_invoices_journal_balances_and_events(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    customer_id = await customer(client, writer, "C-1")
    items = [invoice(f"BULK-{n}", "10.00") for n in range(10_000)]
    response = await client.post("/v1/invoices/bulk", json={"items": items}, headers=writer)
    assert response.status_code == 201
    assert response.json()["created"] == 10_000
    async with ledger_app.state.sessionmaker() as session:
        cust = await session.get(Customer, uuid.UUID(customer_id))
        assert cust is not None
        assert cust.open_ar_minor == 10_000 * 1000
        debits = await session.scalar(
            select(func.sum(JournalLine.debit_minor)).where(JournalLine.customer_id == cust.id)
        )
        credits = await session.scalar(
            select(func.sum(JournalLine.credit_minor)).where(JournalLine.customer_id == cust.id)
        )
        assert debits == credits == 10_000 * 1000
        o = plumbing.outbox
        issued = await session.scalar(
            select(func.count())
            .select_from(o)
            .where(o.c.message_key == customer_id, o.c.event_type == "ar.ledger.InvoiceIssued.v1")
        )
        assert issued == 10_000
    too_many = await client.post("/v1/invoices/bulk", json={"items": [invoice("X")] * 10_001}, headers=writer)
    assert too_many.status_code == 422


async def test_void_is_allowed_only_while_nothing_is_applied(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await customer(client, writer, "C-1")
    issued = (await client.post("/v1/invoices", json=invoice("V-1"), headers=writer)).json()
    voided = await client.post(
        f"/v1/invoices/{issued['id']}/void",
        json={"voided_on": "2026-10-05", "reason": "Billed twice"},
        headers=writer,
    )
    assert voided.status_code == 200
    assert voided.json()["status"] == "void"
    assert voided.json()["open_balance"]["amount"] == "0.00"
    again = await client.post(
        f"/v1/invoices/{issued['id']}/void", json={"voided_on": "2026-10-06"}, headers=writer
    )
    assert again.status_code == 409
    assert again.json()["code"] == "invoice_void"


async def test_list_filters_by_status_and_overdue(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    customer_id = await customer(client, writer, "C-1")
    await client.post("/v1/invoices", json=invoice("L-1", due_date="2026-10-10"), headers=writer)
    await client.post("/v1/invoices", json=invoice("L-2", due_date="2026-12-10"), headers=writer)
    overdue = await client.get(
        "/v1/invoices", params={"customer_id": customer_id, "overdue_on": "2026-11-01"}, headers=writer
    )
    assert [i["invoice_number"] for i in overdue.json()["items"]] == ["L-1"]
    open_ = await client.get(
        "/v1/invoices", params={"customer_id": customer_id, "status": "open", "limit": 1}, headers=writer
    )
    assert len(open_.json()["items"]) == 1
    assert open_.json()["next_cursor"]


async def test_a_customer_with_documents_cannot_change_currency(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await customer(client, writer, "C-1")
    assert (
        await client.put(
            "/v1/customers/external/C-1",
            json={"name": "Acme", "currency": "USD", "payment_terms_days": 30, "business_entity": "DE01"},
            headers=writer,
        )
    ).status_code == 200
    await customer(client, writer, "C-1")  # back to EUR while nothing is posted
    await client.post("/v1/invoices", json=invoice("CUR-1"), headers=writer)
    response = await client.put(
        "/v1/customers/external/C-1",
        json={"name": "Acme", "currency": "USD", "payment_terms_days": 30, "business_entity": "DE01"},
        headers=writer,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "currency_locked"


async def test_changed_customer_terms_apply_to_the_next_invoice_at_once(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    # the terms of a customer just invoiced are remembered; a change must still apply at once
    await customer(client, writer, "C-1", payment_terms_days=30)
    first = await client.post("/v1/invoices", json=invoice("T-1"), headers=writer)
    assert first.json()["due_date"] == "2026-10-31"
    await customer(client, writer, "C-1", payment_terms_days=60, business_entity="AT01")
    second = await client.post("/v1/invoices", json=invoice("T-2"), headers=writer)
    assert second.status_code == 201, second.text
    assert (second.json()["due_date"], second.json()["business_entity"]) == ("2026-11-30", "AT01")
    async with ledger_app.state.sessionmaker() as session:
        numbers = (
            await session.scalars(
                select(Invoice.invoice_number).where(Invoice.invoice_number.in_(["T-1", "T-2"]))
            )
        ).all()
        assert sorted(numbers) == ["T-1", "T-2"]  # written once each, the stale attempt wrote nothing
        balance = (
            await session.scalars(select(Customer.open_ar_minor).where(Customer.external_id == "C-1"))
        ).one()
        assert balance == 20000


async def test_a_new_currency_is_accepted_at_once_while_the_customer_has_no_documents(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await customer(client, writer, "C-1", currency="EUR")
    refused = await client.post("/v1/invoices", json=invoice("CUR-1", currency="USD"), headers=writer)
    assert refused.status_code == 422  # and EUR is now remembered for C-1
    await customer(client, writer, "C-1", currency="USD")
    accepted = await client.post("/v1/invoices", json=invoice("CUR-1", currency="USD"), headers=writer)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["amount"] == {"amount": "100.00", "currency": "USD"}
