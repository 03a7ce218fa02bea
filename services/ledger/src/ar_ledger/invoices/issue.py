"""Issuing invoices, one (the billing integration's hot path) or a batch, through the posting engine."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain import journal
from ar_ledger.invoices.repository import BillingTerms, InvoiceRepository
from ar_ledger.invoices.schemas import Invoice as InvoiceOut
from ar_ledger.invoices.schemas import InvoiceCreate
from ar_ledger.invoices.terms_cache import BillingTermsCache
from ar_ledger.models import Invoice, plumbing
from ar_ledger.postings.engine import (
    COPY_FROM_ROWS,
    Movement,
    post,
    post_with_document,
    stream_rows,
    write_rows,
)
from ar_ledger.postings.repository import DuplicateDocument
from ar_ledger.postings.rows import NewInvoice
from ar_ledger.postings.service import Billed, money, outbox, require_currency
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.events.ledger import InvoiceIssued
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import Conflict, Unprocessable

audit = AuditLog(plumbing)
DUPLICATE_NUMBER = "uq_invoices_entity_number"


@dataclass(frozen=True, slots=True)
class PreparedInvoice:
    """A validated invoice, ready to post: its row, its journal movement and its event, the same
    for one invoice, a batch and an opening balance. Plain values: a batch holds 10,000."""

    row: NewInvoice
    movement: Movement
    event: InvoiceIssued

    def answer(self) -> InvoiceOut:
        """The API answer for the new invoice: built from the values written, nothing read back."""
        row = self.row
        amount = money(row.amount_minor, row.currency)
        return InvoiceOut(
            id=row.id,
            customer_id=row.customer_id,
            business_entity=row.business_entity,
            invoice_number=row.invoice_number,
            issue_date=row.issue_date,
            due_date=row.due_date,
            amount=amount,
            open_balance=amount,
            status="open",
            order_reference=row.order_reference,
            po_number=row.po_number,
            voided_on=None,
            created_at=row.created_at,
        )


def prepare(
    data: InvoiceCreate, customer: Billed, now: datetime, *, opening: bool = False
) -> PreparedInvoice:
    """Checks an invoice against its customer and builds its row, movement and event (no I/O).

    `opening`: a balance carried over from another system (its journal entry credits the opening
    balance account, not sales)."""
    require_currency(customer, data.amount.currency)
    amount = data.amount.to_money()
    due = data.due_date or data.issue_date + timedelta(days=customer.payment_terms_days)
    invoice_id = uuid.uuid4()
    row = NewInvoice(
        id=invoice_id,
        customer_id=customer.id,
        business_entity=customer.business_entity,
        invoice_number=data.invoice_number,
        issue_date=data.issue_date,
        due_date=due,
        currency=amount.currency,
        amount_minor=amount.minor,
        open_minor=amount.minor,
        status="open",
        order_reference=data.order_reference,
        po_number=data.po_number,
        version=1,
        created_at=now,
    )
    movement = Movement(
        customer.id,
        "invoice_opened" if opening else "invoice_issued",
        invoice_id,
        data.issue_date,
        amount.currency,
        (journal.invoice_opened if opening else journal.invoice_issued)(amount.minor),
        invoice_id=invoice_id,
    )
    # values of the validated request: validating them again in pydantic-core costs half of what
    # `model_construct`'s Python loop does (a batch builds 10,000), and gives the same event
    event = InvoiceIssued.model_validate(
        {
            "invoice_id": invoice_id,
            "customer_id": customer.id,
            "business_entity": customer.business_entity,
            "invoice_number": data.invoice_number,
            "issue_date": data.issue_date,
            "due_date": due,
            "amount": data.amount,
            "order_reference": data.order_reference,
            "po_number": data.po_number,
        }
    )
    return PreparedInvoice(row, movement, event)


def prepare_opening(
    customer: Billed, number: str, issued: date, due: date, amount: Money, now: datetime
) -> PreparedInvoice:
    """An invoice carried over open from another system, checked like any other."""
    data = InvoiceCreate(
        customer_id=customer.id,
        invoice_number=number,
        issue_date=issued,
        due_date=due,
        amount=MoneyAmount.from_money(amount),
    )
    return prepare(data, customer, now, opening=True)


BILLING_TERMS = BillingTermsCache()


async def issue_invoice(session: AsyncSession, actor: Actor, data: InvoiceCreate) -> InvoiceOut:
    """The hot write path of the billing integration.

    With the customer's terms remembered, one statement writes everything (BEGIN, statement,
    COMMIT); when they changed meanwhile the statement writes nothing, and the invoice is built
    again from the terms read under the customer's lock.
    """
    repo = InvoiceRepository(session)
    remembered = BILLING_TERMS.get(data.customer_id, data.customer_external_id)
    if remembered is not None:
        try:
            invoice = await _write_one(session, actor, data, remembered)
        except Unprocessable:
            invoice = None  # perhaps refused by stale terms: decided below on fresh ones
        if invoice is not None:
            return invoice
        BILLING_TERMS.forget(remembered)
    terms = await repo.lock_billing_terms(data.customer_id, data.customer_external_id)
    if terms is None:
        raise Unprocessable(
            f"customer {data.customer_id or data.customer_external_id} does not exist",
            code="customer_not_found",
        )
    BILLING_TERMS.remember(terms)
    invoice = await _write_one(session, actor, data, terms)
    assert invoice is not None, "the customer is locked at the version just read"
    return invoice


async def _write_one(
    session: AsyncSession, actor: Actor, data: InvoiceCreate, terms: BillingTerms
) -> InvoiceOut | None:
    """Checks and posts the invoice with these terms in one statement; None when the customer is
    no longer at their version (nothing was written)."""
    now = session_clock(session).now()
    prepared = prepare(data, terms, now)
    invoice = prepared.answer()
    [event] = outbox.records([prepared.event], now)
    [audit_record] = audit.created_records(
        actor=actor,
        action="invoice.issued",
        entity_type="invoice",
        entities=[(str(prepared.row.id), invoice.model_dump(mode="json"))],
        now=now,
    )
    try:
        written = await post_with_document(
            session,
            Invoice.__table__,
            prepared.row,
            prepared.movement,
            audit=audit_record,
            event=event.row(),
            customer_version=terms.version,
        )
    except DuplicateDocument as duplicate:
        if duplicate.constraint != DUPLICATE_NUMBER:
            raise
        raise Conflict(
            f"invoice number {data.invoice_number} already exists in {prepared.row.business_entity}",
            code="duplicate_invoice_number",
        ) from None
    return invoice if written else None


async def post_invoices(
    session: AsyncSession,
    actor: Actor,
    prepared: Iterable[PreparedInvoice],
    *,
    action: str = "invoice.issued",
) -> list[PreparedInvoice]:
    """A batch, set-based: COPY for invoices, journal, outbox and audit; one UPDATE for every
    customer's balances (the caller holds the customers' locks and checked the numbers); the
    invoices posted.

    `prepared` may be a generator (`prepare` per item): each invoice is then prepared as COPY
    sends the ones before it, and each event and audit record likewise, so PostgreSQL stores what
    was sent while Python makes the rest (a few invoices go in one INSERT instead)."""
    posted: list[PreparedInvoice] = []
    if isinstance(prepared, Sequence) and len(prepared) < COPY_FROM_ROWS:
        posted = list(prepared)
        await write_rows(session, Invoice.__table__, [p.row for p in posted])
    else:

        def rows() -> Iterator[NewInvoice]:
            for invoice in prepared:
                posted.append(invoice)
                yield invoice.row

        await stream_rows(session, Invoice.__table__, NewInvoice, rows())
    await post(session, [p.movement for p in posted])
    events = await outbox.copy_many(session, (p.event for p in posted))
    await audit.record_created(
        session,
        actor=actor,
        action=action,
        entity_type="invoice",
        entities=[(str(p.row.id), e.data) for p, e in zip(posted, events, strict=True)],
    )
    return posted
