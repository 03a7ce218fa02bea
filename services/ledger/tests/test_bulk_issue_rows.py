"""Bulk issue writes, for each invoice, exactly the rows the ledger's rules call for: the invoice,
its balanced journal entry, its `InvoiceIssued` event as the payload model renders it, and the
first record of its audit chain, hashed as `ar-audit-verify` recomputes it; whether the batch is
a few rows in one INSERT or thousands streamed through COPY as they are made."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_ledger.models import Customer, Invoice, JournalEntry, JournalLine, plumbing
from ar_ledger.postings.engine import COPY_FROM_ROWS
from ar_shared.audit.log import GENESIS, hashed_fields, record_hash
from ar_shared.events.ledger import InvoiceIssued
from ar_shared.money import Money, MoneyAmount

pytestmark = pytest.mark.integration


def item(n: int) -> dict[str, Any]:
    return {
        "customer_external_id": "C-ROWS",
        "invoice_number": f"ROWS-{n}",
        "issue_date": "2026-10-01",
        "amount": {"amount": f"{n + 1}.{n % 100:02d}", "currency": "EUR"},
        # unicode and missing optional fields: both must reach the event and the hash unchanged
        **({"po_number": f"Bestellung-Nr. {n} · Zürich 東京"} if n % 2 else {}),
        **({"order_reference": f"SO-{n}"} if n % 3 == 0 else {}),
    }


@pytest.mark.parametrize("count", [3, COPY_FROM_ROWS + 6], ids=["insert", "copy-stream"])
async def test_bulk_issue_writes_each_invoice_its_entry_its_event_and_its_audit_record(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str], count: int
) -> None:
    answer = await client.put(
        "/v1/customers/external/C-ROWS",
        json={"name": "Rows GmbH", "currency": "EUR", "payment_terms_days": 14, "business_entity": "DE01"},
        headers=writer,
    )
    assert answer.status_code in {200, 201}
    customer_id = answer.json()["id"]
    items = [item(n) for n in range(count)]
    response = await client.post("/v1/invoices/bulk", json={"items": items}, headers=writer)
    assert response.status_code == 201, response.text
    ids = [uuid.UUID(i) for i in response.json()["invoice_ids"]]
    assert len(set(ids)) == count
    o, a = plumbing.outbox, plumbing.audit_log
    async with ledger_app.state.sessionmaker() as session:
        invoices = {i.id: i for i in await session.scalars(select(Invoice).where(Invoice.id.in_(ids)))}
        entries = {
            e.document_id: e
            for e in await session.scalars(select(JournalEntry).where(JournalEntry.document_id.in_(ids)))
        }
        lines: dict[uuid.UUID, set[tuple[str, int, int]]] = {}
        for line in await session.scalars(select(JournalLine).where(JournalLine.invoice_id.in_(ids))):
            assert line.invoice_id is not None
            lines.setdefault(line.invoice_id, set()).add((line.account, line.debit_minor, line.credit_minor))
        events = {
            r.envelope["data"]["invoice_id"]: r
            for r in await session.execute(
                select(o.c.event_id, o.c.event_type, o.c.topic, o.c.message_key, o.c.envelope).where(
                    o.c.message_key == customer_id, o.c.event_type == "ar.ledger.InvoiceIssued.v1"
                )
            )
        }
        audits = {
            r.entity_id: r
            for r in await session.execute(
                select(a).where(a.c.entity_type == "invoice", a.c.entity_id.in_([str(i) for i in ids]))
            )
        }
        customer = await session.get(Customer, uuid.UUID(customer_id))
    assert customer is not None
    assert customer.open_ar_minor == sum(i.amount_minor for i in invoices.values())
    for n, invoice_id in enumerate(ids):
        invoice = invoices[invoice_id]
        sent = items[n]
        assert (invoice.invoice_number, invoice.status, invoice.open_minor) == (
            sent["invoice_number"], "open", invoice.amount_minor,
        )  # fmt: skip
        assert (invoice.po_number, invoice.order_reference) == (
            sent.get("po_number"),
            sent.get("order_reference"),
        )
        assert (invoice.due_date - invoice.issue_date).days == 14
        entry = entries[invoice_id]
        assert (entry.kind, entry.effective_date, entry.customer_id) == (
            "invoice_issued", invoice.issue_date, invoice.customer_id,
        )  # fmt: skip
        assert lines[invoice_id] == {
            ("accounts_receivable", invoice.amount_minor, 0),
            ("sales", 0, invoice.amount_minor),
        }
        data = InvoiceIssued(
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            business_entity=invoice.business_entity,
            invoice_number=invoice.invoice_number,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            amount=MoneyAmount.from_money(Money(invoice.amount_minor, invoice.currency)),
            order_reference=invoice.order_reference,
            po_number=invoice.po_number,
        ).model_dump(mode="json")
        event = events[str(invoice_id)]
        assert event.topic == "ledger.events"
        envelope = dict(event.envelope)
        assert envelope.pop("data") == data
        assert {
            k: envelope[k] for k in ("specversion", "id", "type", "source", "subject", "datacontenttype")
        } == {
            "specversion": "1.0",
            "id": str(event.event_id),
            "type": "ar.ledger.InvoiceIssued.v1",
            "source": "/ar/ledger",
            "subject": customer_id,
            "datacontenttype": "application/json",
        }
        record = audits[str(invoice_id)]
        assert (record.action, record.actor, record.before, record.after) == (
            "invoice.issued",
            "erp-sync",
            None,
            data,
        )
        assert (record.chain_seq, bytes(record.prev_hash)) == (1, GENESIS)
        assert bytes(record.hash) == record_hash(GENESIS, hashed_fields(record))
