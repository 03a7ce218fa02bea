"""Invoice rules: void while nothing is applied; an invoice as of any date; lists."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.service import resolve_filter
from ar_ledger.domain import journal
from ar_ledger.domain.aging import days_past_due
from ar_ledger.domain.open_balance import Applied, open_balance, status_on
from ar_ledger.filters import CustomerFilter
from ar_ledger.invoices.repository import (
    InvoiceFilters,
    InvoiceRepository,
)
from ar_ledger.invoices.schemas import Invoice as InvoiceOut
from ar_ledger.invoices.schemas import InvoiceVoid
from ar_ledger.models import Invoice, plumbing
from ar_ledger.postings.repository import PostingRepository
from ar_ledger.postings.service import locked_customer, money, outbox, post_entry
from ar_shared.audit import Actor, AuditLog
from ar_shared.events.ledger import InvoiceVoided
from ar_shared.pagination import Page, PageParams, decode_cursor, page_from_rows
from ar_shared.problems import Conflict, NotFound, Unprocessable

audit = AuditLog(plumbing)


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
