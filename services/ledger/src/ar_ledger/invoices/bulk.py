"""Issuing up to 10,000 invoices in one request: all or nothing, written set-based."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain import journal
from ar_ledger.invoices.repository import InvoiceRepository
from ar_ledger.invoices.schemas import InvoiceCreate
from ar_ledger.invoices.service import PreparedInvoice, audit, line_record, prepare
from ar_ledger.postings.repository import PostingRepository
from ar_ledger.postings.service import outbox
from ar_shared.audit import Actor
from ar_shared.problems import FieldError, Unprocessable


async def issue_invoices(session: AsyncSession, actor: Actor, items: list[InvoiceCreate]) -> list[uuid.UUID]:
    """All or nothing: every invalid item is reported with its index, and nothing is written."""
    repo = InvoiceRepository(session)
    by_id, by_external = await repo.customers_for_update(
        [i.customer_id for i in items if i.customer_id],
        [i.customer_external_id for i in items if i.customer_external_id],
    )
    errors: list[FieldError] = []
    prepared: list[PreparedInvoice] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        customer = (
            by_id.get(item.customer_id)
            if item.customer_id
            else by_external.get(item.customer_external_id or "")
        )
        if customer is None:
            errors.append(
                FieldError(
                    field=f"items.{index}.customer",
                    message="customer does not exist",
                    code="customer_not_found",
                )
            )
            continue
        if item.amount.currency != customer.currency:
            errors.append(
                FieldError(
                    field=f"items.{index}.amount.currency",
                    message=f"customer is billed in {customer.currency}, not {item.amount.currency}",
                    code="currency_mismatch",
                )
            )
            continue
        key = (customer.business_entity, item.invoice_number)
        if key in seen:
            errors.append(
                FieldError(
                    field=f"items.{index}.invoice_number",
                    message=f"repeats item {seen[key]} of this request",
                    code="duplicate_invoice_number",
                )
            )
            continue
        seen[key] = index
        prepared.append(prepare(item, customer))
    taken = await repo.numbers_taken(seen)
    errors += [
        FieldError(
            field=f"items.{seen[key]}.invoice_number",
            message=f"{key[1]} already exists in {key[0]}",
            code="duplicate_invoice_number",
        )
        for key in sorted(taken, key=lambda k: seen[k])
    ]
    if errors:
        errors.sort(key=lambda e: int(e.field.split(".")[1]))
        raise Unprocessable(
            f"{len(errors)} of {len(items)} invoices are invalid; nothing was written",
            code="invalid_invoices",
            errors=errors,
        )
    await _write_bulk(session, actor, prepared)
    return [p.id for p in prepared]


async def _write_bulk(session: AsyncSession, actor: Actor, prepared: list[PreparedInvoice]) -> None:
    """Set-based: COPY for invoices, journal and outbox; one UPDATE for every customer's balance."""
    repo = InvoiceRepository(session)
    await repo.copy_invoices([p.copy_record() for p in prepared])
    entries, lines = [], []
    for p in prepared:
        entry_id = uuid.uuid4()
        entries.append((entry_id, p.customer_id, "invoice_issued", p.id, p.issue_date))
        lines += [line_record(entry_id, p, line) for line in journal.invoice_issued(p.amount_minor)]
    await repo.copy_journal(entries, lines)
    totals: dict[uuid.UUID, int] = {}
    for p in prepared:
        totals[p.customer_id] = totals.get(p.customer_id, 0) + p.amount_minor
    await PostingRepository(session).add_to_open_ar(totals)
    events = await outbox.copy_many(session, [p.event for p in prepared])
    await audit.record_created(
        session,
        actor=actor,
        action="invoice.issued",
        entity_type="invoice",
        entities=[(str(p.id), e.data) for p, e in zip(prepared, events, strict=True)],
    )
