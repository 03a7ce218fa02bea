"""The fault tests' oracle finds what it is there to find: on a database of its own, clean when
nothing is wrong, then each planted fault counted under its own name."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ar_shared.provisioning import SERVICES
from ar_shared.testing.db import migrate
from ar_shared.testing.oracle import SentRequest, check
from ar_shared.testing.stack import REPO_ROOT, Stack, scratch_database

pytestmark = pytest.mark.integration

ISSUED = "ar.ledger.InvoiceIssued.v1"
DAY = date(2026, 1, 15)  # a document date only: no rule reads it against today


@pytest.fixture
async def database(stack: Stack) -> AsyncIterator[Stack]:
    async with scratch_database(stack, f"oracle{uuid.uuid4().hex[:8]}") as own:
        for service in SERVICES:
            await migrate(REPO_ROOT / "services" / service, own.url(service, "owner"))
        yield own


Statement = tuple[str, dict[str, object]]


def insert(table: str, **values: object) -> Statement:
    columns = ", ".join(f'"{c}"' for c in values)
    placeholders = ", ".join(f":{c}" for c in values)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values


async def execute(admin_url: str, *statements: Statement) -> None:
    engine = create_async_engine(admin_url)
    try:
        async with engine.begin() as db:
            for sql, params in statements:
                await db.execute(text(sql), params)
    finally:
        await engine.dispose()


async def test_the_oracle_is_clean_on_a_consistent_book_and_counts_each_planted_fault(
    database: Stack,
) -> None:
    c, i, e = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    eur = {"currency": "EUR"}
    account = {"external_id": "C1", "name": "C1", **eur, "business_entity": "OR01", "time_zone": "UTC"}
    line = {"entry_id": e, "customer_id": c, **eur}
    # a customer with one invoice of 10.00, journal and caches agreeing, projected by credit and
    # collections, its event published and in credit's inbox
    await execute(
        database.admin_url,
        insert("ledger.customers", id=c, **account, payment_terms_days=30, open_ar_minor=1000, version=1),
        insert("ledger.invoices", id=i, customer_id=c, business_entity="OR01", invoice_number="N-1",
               issue_date=DAY, due_date=DAY, **eur, amount_minor=1000, open_minor=1000, status="open",
               version=1),
        insert("ledger.journal_entries", id=e, customer_id=c, kind="invoice_issued", document_id=i,
               effective_date=DAY),
        insert("ledger.journal_lines", **line, invoice_id=i, account="accounts_receivable", debit_minor=1000,
               credit_minor=0),
        insert("ledger.journal_lines", **line, account="sales", debit_minor=0, credit_minor=1000),
        ("INSERT INTO ledger.outbox (event_id, event_type, topic, message_key, envelope, published_at) "
         "VALUES (:e, :t, 'ledger.events', 'k', '{}', now())", {"e": e, "t": ISSUED}),
        insert("credit.inbox", consumer_group="g", event_id=e, event_type=ISSUED, topic="ledger.events",
               partition=0, offset=0),
        insert("credit.customers", id=c, **account),
        insert("credit.exposures", customer_id=c, **eur, open_ar_minor=1000),
        insert("credit.invoices", id=i, customer_id=c, invoice_number="N-1", **eur, amount_minor=1000,
               open_minor=1000, due_date=DAY),
        insert("collections.accounts", customer_id=c, **account),
        insert("collections.open_items", invoice_id=i, customer_id=c, business_entity="OR01",
               invoice_number="N-1", issue_date=DAY, due_date=DAY, **eur, exponent=2, amount_minor=1000,
               open_minor=1000),
    )  # fmt: skip
    answered = SentRequest("invoice", "k1", ("N-1",), "ok", 201, (i,))
    consumes = {"credit": {ISSUED}}

    clean = await check(database.admin_url, [answered], consumes)
    assert clean.clean, str(clean)
    assert (clean.counts["journals"], clean.counts["requests_ok"], clean.counts["inbox_rows"]) == (1, 1, 1)

    unbalanced, lost_event, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    payment = {"customer_id": c, **eur, "amount_minor": 100, "unapplied_minor": 100, "received_on": DAY,
               "external_reference": "P-1", "status": "posted"}  # fmt: skip
    await execute(
        database.admin_url,
        # the cache drifts from the journal, and credit's copy follows the cache
        ("UPDATE ledger.customers SET open_ar_minor = 900 WHERE id = :c", {"c": c}),
        ("UPDATE ledger.invoices SET open_minor = 900 WHERE id = :i", {"i": i}),
        # an entry whose debit has no credit
        insert("ledger.journal_entries", id=unbalanced, customer_id=c, kind="payment_received",
               document_id=other, effective_date=DAY),
        insert("ledger.journal_lines", entry_id=unbalanced, customer_id=c, account="cash", **eur,
               debit_minor=5, credit_minor=0),
        # one event never published, one published but never applied by credit
        insert("ledger.outbox", event_id=other, event_type="ar.ledger.PaymentReceived.v1",
               topic="ledger.events", message_key="k", envelope="{}"),
        ("INSERT INTO ledger.outbox (event_id, event_type, topic, message_key, envelope, published_at) "
         "VALUES (:e, :t, 'ledger.events', 'k', '{}', now())", {"e": lost_event, "t": ISSUED}),
        # one payment twice under one bank reference
        insert("ledger.payments", id=unbalanced, **payment),
        insert("ledger.payments", id=other, **payment),
    )  # fmt: skip
    requests = [
        SentRequest("invoice", "k1", ("N-1",), "ok", 201, (other,)),  # answered with another id
        SentRequest("invoice", "k2", ("N-404",), "ok", 201),  # answered, never written
        SentRequest("payment", "k3", ("P-1",), "ok", 201),  # written twice
        SentRequest("invoice", "k4", ("N-500",), "error", None, (), attempts=3),
    ]
    found = await check(database.admin_url, requests, consumes)
    assert not found.clean
    expected = {
        "unbalanced": 1,
        "customer_balance_mismatch": 1,
        "invoice_balance_mismatch": 1,
        "requests_ok": 3,
        "requests_failed": 1,
        "retried": 1,
        "missing": 1,
        "duplicated": 1,
        "answer_mismatch": 1,
        "outbox_pending": 1,
        "inbox_missing": 1,
        # the exposure and the invoice differ from the ledger's; both payments are not projected
        "credit_mismatch": 2,
        "collections_mismatch": 3,
    }
    assert {name: found.counts[name] for name in expected} == expected, str(found)
