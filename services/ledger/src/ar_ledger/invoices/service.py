"""Invoice rules: issue one or many (all or nothing), void while nothing is applied."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.service import resolve_filter
from ar_ledger.domain import journal
from ar_ledger.domain.aging import days_past_due
from ar_ledger.domain.open_balance import Applied, open_balance, status_on
from ar_ledger.filters import CustomerFilter
from ar_ledger.invoices.repository import (
    BillingTerms,
    InvoiceFilters,
    InvoiceNumberTaken,
    InvoiceRepository,
    NewInvoiceRows,
)
from ar_ledger.invoices.schemas import Invoice as InvoiceOut
from ar_ledger.invoices.schemas import InvoiceCreate, InvoiceVoid
from ar_ledger.invoices.terms_cache import BillingTermsCache
from ar_ledger.models import Invoice, plumbing
from ar_ledger.postings.repository import PostingRepository
from ar_ledger.postings.service import Billed, locked_customer, money, outbox, post_entry, require_currency
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.events.ledger import InvoiceIssued, InvoiceVoided
from ar_shared.pagination import Page, PageParams, decode_cursor, page_from_rows
from ar_shared.problems import Conflict, NotFound, Unprocessable

audit = AuditLog(plumbing)


@dataclass(frozen=True, slots=True)
class PreparedInvoice:
    """A validated invoice, ready to write: the same for single and bulk issue.

    Plain values, not an ORM object: the bulk path writes 10,000 of them with COPY.
    """

    id: uuid.UUID
    customer_id: uuid.UUID
    business_entity: str
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    order_reference: str | None
    po_number: str | None
    event: InvoiceIssued

    def copy_record(self) -> tuple[object, ...]:
        """Values in INVOICE_COPY_COLUMNS order."""
        return (
            self.id, self.customer_id, self.business_entity, self.invoice_number, self.issue_date,
            self.due_date, self.currency, self.amount_minor, self.amount_minor, "open",
            self.order_reference, self.po_number, 1,
        )  # fmt: skip

    def issued(self, created_at: datetime) -> InvoiceOut:
        """The API answer for the new invoice: built from the values written, nothing read back."""
        amount = money(self.amount_minor, self.currency)
        return InvoiceOut(
            id=self.id,
            customer_id=self.customer_id,
            business_entity=self.business_entity,
            invoice_number=self.invoice_number,
            issue_date=self.issue_date,
            due_date=self.due_date,
            amount=amount,
            open_balance=amount,
            status="open",
            order_reference=self.order_reference,
            po_number=self.po_number,
            voided_on=None,
            created_at=created_at,
        )


def prepare(data: InvoiceCreate, customer: Billed) -> PreparedInvoice:
    """Checks an invoice against its customer and builds its values and event (no I/O)."""
    require_currency(customer, data.amount.currency)
    amount = data.amount.to_money()
    due = data.due_date or data.issue_date + timedelta(days=customer.payment_terms_days)
    invoice_id = uuid.uuid4()
    # the request was validated already: build the event without validating it again
    event = InvoiceIssued.model_construct(
        invoice_id=invoice_id,
        customer_id=customer.id,
        business_entity=customer.business_entity,
        invoice_number=data.invoice_number,
        issue_date=data.issue_date,
        due_date=due,
        amount=data.amount,
        order_reference=data.order_reference,
        po_number=data.po_number,
    )
    return PreparedInvoice(
        invoice_id, customer.id, customer.business_entity, data.invoice_number, data.issue_date, due,
        amount.currency, amount.minor, data.order_reference, data.po_number, event,
    )  # fmt: skip


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
            invoice = await _write(repo, actor, data, remembered)
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
    invoice = await _write(repo, actor, data, terms)
    assert invoice is not None, "the customer is locked at the version just read"
    return invoice


async def _write(
    repo: InvoiceRepository, actor: Actor, data: InvoiceCreate, terms: BillingTerms
) -> InvoiceOut | None:
    """Checks and writes the invoice with these terms; None when the customer is no longer at
    their version (nothing was written)."""
    prepared = prepare(data, terms)
    now = session_clock(repo.session).now()
    invoice = prepared.issued(now)
    entry_id = uuid.uuid4()
    lines = journal.invoice_issued(prepared.amount_minor)
    journal.assert_balanced(lines)
    _, [event] = outbox.records([prepared.event], now)
    [audit_record] = audit.created_records(
        actor=actor,
        action="invoice.issued",
        entity_type="invoice",
        entities=[(str(prepared.id), invoice.model_dump(mode="json"))],
        now=now,
    )
    rows = NewInvoiceRows(
        invoice=(*prepared.copy_record(), invoice.created_at),
        journal_entry=(entry_id, terms.id, "invoice_issued", prepared.id, prepared.issue_date),
        journal_lines=(
            line_record(entry_id, prepared, lines[0]),
            line_record(entry_id, prepared, lines[1]),
        ),
        customer_id=terms.id,
        open_ar_increase=prepared.amount_minor,
        audit=audit_record,
        event=event,
        customer_version=terms.version,
    )
    try:
        written = await repo.add_issued(rows)
    except InvoiceNumberTaken:
        raise Conflict(
            f"invoice number {data.invoice_number} already exists in {prepared.business_entity}",
            code="duplicate_invoice_number",
        ) from None
    return invoice if written else None


def line_record(entry_id: uuid.UUID, p: PreparedInvoice, line: journal.Line) -> tuple[object, ...]:
    """Values in the journal line column order."""
    return (
        entry_id, p.customer_id, p.id, line.account.value, p.currency, line.debit_minor, line.credit_minor,
    )  # fmt: skip


async def void_invoice(
    session: AsyncSession, actor: Actor, invoice_id: uuid.UUID, data: InvoiceVoid
) -> Invoice:
    invoice = await get_invoice(session, invoice_id)
    customer = await locked_customer(session, invoice.customer_id)
    invoice = await InvoiceRepository(session).get_for_update(invoice_id) or invoice
    if invoice.status == "void":
        raise Conflict(f"invoice {invoice.invoice_number} is already void", code="invoice_void")
    if (
        await PostingRepository(session).invoice_has_active_applications(invoice.id)
        or invoice.open_minor != invoice.amount_minor
    ):
        raise Conflict(
            f"invoice {invoice.invoice_number} has payments, credits or write-offs applied; "
            "unapply them first",
            code="invoice_has_applications",
        )
    if data.voided_on < invoice.issue_date:
        raise Unprocessable("an invoice cannot be voided before it was issued", code="void_before_issue")
    before = InvoiceOut.of(invoice).model_dump(mode="json")
    invoice.status = "void"
    invoice.voided_on = data.voided_on
    invoice.void_reason = data.reason
    invoice.open_minor = 0
    invoice.version += 1
    await post_entry(
        session,
        customer,
        "invoice_voided",
        invoice.id,
        data.voided_on,
        journal.invoice_voided(invoice.amount_minor),
        invoice.id,
    )
    await PostingRepository(session).adjust_customer(customer.id, open_ar=-invoice.amount_minor)
    await session.flush()
    await audit.record(
        session, actor=actor, action="invoice.voided", entity_type="invoice", entity_id=str(invoice.id),
        before=before, after=InvoiceOut.of(invoice).model_dump(mode="json"),
    )  # fmt: skip
    await outbox.add(
        session,
        InvoiceVoided(
            invoice_id=invoice.id,
            customer_id=customer.id,
            invoice_number=invoice.invoice_number,
            amount=money(invoice.amount_minor, invoice.currency),
            voided_on=data.voided_on,
            reason=data.reason,
        ),
    )
    return invoice


async def invoice_as_of(session: AsyncSession, invoice_id: uuid.UUID, as_of: date | None) -> InvoiceOut:
    """The invoice, and with `as_of` its open balance, status and days past due on that date."""
    invoice = await get_invoice(session, invoice_id)
    answer = InvoiceOut.of(invoice)
    if as_of is None:
        return answer
    if as_of < invoice.issue_date:
        raise Unprocessable(
            f"invoice {invoice.invoice_number} was issued on {invoice.issue_date}, after {as_of}",
            code="not_yet_issued",
            extra={"field": "as_of"},
        )
    applied = [
        Applied(a.source_kind, a.amount_minor, a.effective_date, a.reversed_on, a.seq)
        for a in await InvoiceRepository(session).applications_to(invoice.id)
    ]
    status = status_on(invoice.amount_minor, invoice.voided_on, applied, as_of)
    open_minor = 0 if status == "void" else open_balance(invoice.amount_minor, applied, as_of)
    return answer.model_copy(
        update={
            "as_of": as_of,
            "open_balance": money(open_minor, invoice.currency),
            "status": status,
            "voided_on": invoice.voided_on if status == "void" else None,
            "days_past_due": max(days_past_due(as_of, invoice.due_date), 0) if status == "open" else None,
        }
    )


async def get_invoice(session: AsyncSession, invoice_id: uuid.UUID) -> Invoice:
    invoice = await InvoiceRepository(session).get(invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} does not exist", code="invoice_not_found")
    return invoice


async def list_invoices(
    session: AsyncSession, page: PageParams, customer: CustomerFilter, filters: InvoiceFilters
) -> Page[InvoiceOut]:
    after = decode_cursor(page.cursor, date, uuid.UUID) if page.cursor else None
    rows = await InvoiceRepository(session).list(
        limit=page.limit + 1,
        after=after,
        customer_id=await resolve_filter(session, customer),
        filters=filters,
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.due_date, r.id])
    return Page[InvoiceOut](items=[InvoiceOut.of(r) for r in items], next_cursor=next_cursor)
