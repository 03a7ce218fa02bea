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


async def execute(admin_url: str, *statements: tuple[str, dict[str, object]]) -> None:
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
    customer, invoice, entry = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ids = {"c": customer, "i": invoice, "e": entry, "d": DAY}
    # a customer with one invoice of 10.00, journal and caches agreeing, projected by credit and
    # collections, its event published and in both inboxes
    await execute(
        database.admin_url,
        ("INSERT INTO ledger.customers (id, external_id, name, currency, payment_terms_days, business_entity, "
         "time_zone, open_ar_minor, version) VALUES (:c, 'C1', 'C1', 'EUR', 30, 'OR01', 'UTC', 1000, 1)", ids),
        ("INSERT INTO ledger.invoices (id, customer_id, business_entity, invoice_number, issue_date, due_date, "
         "currency, amount_minor, open_minor, status, version) "
         "VALUES (:i, :c, 'OR01', 'N-1', :d, :d, 'EUR', 1000, 1000, 'open', 1)", ids),
        ("INSERT INTO ledger.journal_entries (id, customer_id, kind, document_id, effective_date) "
         "VALUES (:e, :c, 'invoice_issued', :i, :d)", ids),
        ("INSERT INTO ledger.journal_lines (entry_id, customer_id, invoice_id, account, currency, debit_minor, "
         "credit_minor) VALUES (:e, :c, :i, 'accounts_receivable', 'EUR', 1000, 0), "
         "(:e, :c, NULL, 'sales', 'EUR', 0, 1000)", ids),
        ("INSERT INTO ledger.outbox (event_id, event_type, topic, message_key, envelope, published_at) "
         "VALUES (:e, :t, 'ledger.events', 'k', '{}', now())", {**ids, "t": ISSUED}),
        ("INSERT INTO credit.inbox (consumer_group, event_id, event_type, topic, partition, \"offset\") "
         "VALUES ('g', :e, :t, 'ledger.events', 0, 0)", {**ids, "t": ISSUED}),
        ("INSERT INTO credit.customers (id, external_id, name, currency, business_entity, time_zone) "
         "VALUES (:c, 'C1', 'C1', 'EUR', 'OR01', 'UTC')", ids),
        ("INSERT INTO credit.exposures (customer_id, currency, open_ar_minor) VALUES (:c, 'EUR', 1000)", ids),
        ("INSERT INTO credit.invoices (id, customer_id, invoice_number, currency, amount_minor, open_minor, "
         "due_date) VALUES (:i, :c, 'N-1', 'EUR', 1000, 1000, :d)", ids),
        ("INSERT INTO collections.accounts (customer_id, external_id, name, currency, business_entity, "
         "time_zone) VALUES (:c, 'C1', 'C1', 'EUR', 'OR01', 'UTC')", ids),
        ("INSERT INTO collections.open_items (invoice_id, customer_id, business_entity, invoice_number, "
         "issue_date, due_date, currency, exponent, amount_minor, open_minor) "
         "VALUES (:i, :c, 'OR01', 'N-1', :d, :d, 'EUR', 2, 1000, 1000)", ids),
    )  # fmt: skip
    answered = SentRequest("invoice", "k1", ("N-1",), "ok", 201, (invoice,))
    consumes = {"credit": {ISSUED}}

    clean = await check(database.admin_url, [answered], consumes)
    assert clean.clean, str(clean)
    assert (clean.counts["journals"], clean.counts["requests_ok"], clean.counts["inbox_rows"]) == (1, 1, 1)

    unbalanced, lost_event, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    planted = {**ids, "u": unbalanced, "l": lost_event, "o": other, "t": ISSUED}
    await execute(
        database.admin_url,
        # the cache drifts from the journal, and credit's copy follows the cache
        ("UPDATE ledger.customers SET open_ar_minor = 900 WHERE id = :c", planted),
        ("UPDATE ledger.invoices SET open_minor = 900 WHERE id = :i", planted),
        # an entry whose debit has no credit
        ("INSERT INTO ledger.journal_entries (id, customer_id, kind, document_id, effective_date) "
         "VALUES (:u, :c, 'payment_received', :o, :d)", planted),
        ("INSERT INTO ledger.journal_lines (entry_id, customer_id, account, currency, debit_minor, credit_minor) "
         "VALUES (:u, :c, 'cash', 'EUR', 5, 0)", planted),
        # one event never published, one published but never applied by credit
        ("INSERT INTO ledger.outbox (event_id, event_type, topic, message_key, envelope) "
         "VALUES (:o, 'ar.ledger.PaymentReceived.v1', 'ledger.events', 'k', '{}')", planted),
        ("INSERT INTO ledger.outbox (event_id, event_type, topic, message_key, envelope, published_at) "
         "VALUES (:l, :t, 'ledger.events', 'k', '{}', now())", planted),
        # one payment twice under one bank reference
        ("INSERT INTO ledger.payments (id, customer_id, currency, amount_minor, unapplied_minor, received_on, "
         "external_reference, status) VALUES (:u, :c, 'EUR', 100, 100, :d, 'P-1', 'posted'), "
         "(:o, :c, 'EUR', 100, 100, :d, 'P-1', 'posted')", planted),
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
