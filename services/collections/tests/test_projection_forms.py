"""The set-wise forms of the busiest projections write what the per-event forms write."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from ar_collections.consumers import handlers
from ar_collections.models import Account, ItemMovement, OpenItem, plumbing
from ar_collections.projection.apply import invoice_issued, invoices_issued
from ar_collections.testing import Book, money
from ar_shared.consumer import BatchContext, Delivered
from ar_shared.events import CloudEvent
from ar_shared.events.ledger import CustomerUpserted, InvoiceIssued
from ar_shared.outbox import OutboxWriter

pytestmark = pytest.mark.integration


def issued(customer_id: uuid.UUID, n: int, currency: str) -> InvoiceIssued:
    return InvoiceIssued(
        invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="DE01", invoice_number=f"F-{n}",
        issue_date=date(2026, 1, n), due_date=date(2026, 2, n), amount=money(f"{n}00", currency),
        po_number=f"PO-{n}" if n % 2 else None,
    )  # fmt: skip


async def test_invoices_issued_one_by_one_or_together_become_the_same_open_items(book: Book) -> None:
    one_by_one, together = await book.account(), await book.account()
    events = {customer: [issued(customer, n, c) for n, c in ((1, "EUR"), (2, "JPY"), (3, "KWD"))]
              for customer in (one_by_one, together)}  # fmt: skip
    async with book.session() as session:
        for event in events[one_by_one]:
            await invoice_issued(session, event)
        await invoices_issued(session, events[together])

    async with book.session() as session:
        rows = (await session.scalars(select(OpenItem).order_by(OpenItem.invoice_number))).all()
        moves = (await session.scalars(select(ItemMovement).order_by(ItemMovement.effective_date))).all()

    def shape(customer: uuid.UUID) -> list[tuple[object, ...]]:
        return [
            (
                r.invoice_number,
                r.currency,
                r.exponent,
                r.amount_minor,
                r.open_minor,
                r.voided,
                r.po_number,
                r.due_date,
                r.issue_date,
                r.business_entity,
                r.document_kind,
                r.settled_on,
                [
                    (m.kind, m.source_id == r.invoice_id, m.effective_date, m.delta_minor)
                    for m in moves
                    if m.invoice_id == r.invoice_id and m.customer_id == customer
                ],
            )
            for r in rows
            if r.customer_id == customer
        ]

    def expected(
        n: int, currency: str, exponent: int, minor: int, po_number: str | None
    ) -> tuple[object, ...]:
        issued_on = date(2026, 1, n)
        return (f"F-{n}", currency, exponent, minor, minor, False, po_number, date(2026, 2, n), issued_on,
                "DE01", "invoice", None, [("issued", True, issued_on, minor)])  # fmt: skip

    assert (
        shape(one_by_one)
        == shape(together)
        == [
            expected(1, "EUR", 2, 10000, "PO-1"),
            expected(2, "JPY", 0, 200, None),
            expected(3, "KWD", 3, 300000, "PO-3"),
        ]
    )


async def test_customers_of_one_batch_become_accounts_in_one_go_the_last_values_winning(book: Book) -> None:
    """A bulk load of customers reaches the projection as one batch; a customer announced twice in
    it (renamed in between) keeps what the ledger said last, as one event at a time would."""
    renamed, other = uuid.uuid4(), uuid.uuid4()

    def upserted(customer_id: uuid.UUID, name: str) -> CustomerUpserted:
        return CustomerUpserted(
            customer_id=customer_id, external_id=f"B-{customer_id.hex[:8]}", name=name, currency="EUR",
            payment_terms_days=30, business_entity="DE01", contact_email="ap@customer.example",
        )  # fmt: skip

    batch = [upserted(renamed, "Before"), upserted(other, "Other"), upserted(renamed, "After")]
    registration = handlers.get(CustomerUpserted.event_type())
    assert registration is not None
    assert registration.batch_handler is not None
    async with book.session() as session:
        context = BatchContext(session, OutboxWriter(plumbing), book.app.state.clock)
        await registration.batch_handler(context, [Delivered(CloudEvent.wrap(e), e) for e in batch])

    async with book.session() as session:
        names = {
            row.customer_id: row.name
            for row in await session.execute(select(Account.customer_id, Account.name))
        }
    assert (names[renamed], names[other]) == ("After", "Other")
