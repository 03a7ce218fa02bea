"""Issuing up to 10,000 invoices in one request: all or nothing, written set-based."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.invoices.issue import post_invoices, prepare
from ar_ledger.invoices.repository import BillingTerms, InvoiceRepository
from ar_ledger.invoices.schemas import InvoiceCreate
from ar_ledger.postings.engine import COPY_FROM_ROWS
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.problems import FieldError, Unprocessable


async def issue_invoices(session: AsyncSession, actor: Actor, items: list[InvoiceCreate]) -> list[uuid.UUID]:
    """All or nothing: every invalid item is reported with its index, and nothing is written."""
    repo = InvoiceRepository(session)
    by_id, by_external = await repo.customers_for_update(
        [i.customer_id for i in items if i.customer_id],
        [i.customer_external_id for i in items if i.customer_external_id],
    )
    # plain values, read 10,000 times below: an ORM attribute read costs several times more
    terms = {c.id: BillingTerms.of(c) for c in by_id.values()}
    errors: list[FieldError] = []
    valid: list[tuple[InvoiceCreate, BillingTerms]] = []
    now = session_clock(session).now()
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        row = (
            by_id.get(item.customer_id)
            if item.customer_id
            else by_external.get(item.customer_external_id or "")
        )
        if row is None:
            errors.append(
                FieldError(
                    field=f"items.{index}.customer",
                    message="customer does not exist",
                    code="customer_not_found",
                )
            )
            continue
        customer = terms[row.id]
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
        valid.append((item, customer))
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
    # prepared as they are written (see `post_invoices`): nothing in `prepare` can refuse an item
    # the checks above let through; a few are prepared first and go in one INSERT
    prepared = (prepare(item, customer, now) for item, customer in valid)
    posted = await post_invoices(session, actor, prepared if len(valid) >= COPY_FROM_ROWS else list(prepared))
    return [p.row.id for p in posted]
