"""Applying a payment's or credit memo's unapplied money to invoices, explicitly or by rule."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain.allocation import Allocation, OpenInvoice, auto_allocate
from ar_ledger.domain.open_balance import applicable
from ar_ledger.models import Application, CreditMemo, Customer, Payment
from ar_ledger.postings.repository import PostingRepository
from ar_ledger.postings.schemas import AllocationIn
from ar_ledger.postings.service import apply_to_invoice, drawable_on, invoices_by_id
from ar_shared.audit import Actor
from ar_shared.money import Money
from ar_shared.problems import FieldError, Unprocessable


@dataclass(frozen=True)
class RequestedAllocation:
    invoice_id: uuid.UUID
    amount_minor: int
    deduction_reason: str | None = None


async def plan(
    session: AsyncSession,
    customer: Customer,
    source: Payment | CreditMemo,
    *,
    requested: Sequence[RequestedAllocation] | None,
    effective_date: date,
    remittance_reference: str | None = None,
) -> list[Allocation]:
    """What would be applied: the requested allocations (checked), or auto-apply when None.

    Never more than the source has on `effective_date` and every later date: money unapplied
    again on a later date was still applied before it."""
    available = await drawable_on(session, source, effective_date)
    if requested is not None:
        _check_requested(requested, available, customer.currency)
        return [Allocation(r.invoice_id, r.amount_minor, r.deduction_reason) for r in requested]
    repo = PostingRepository(session)
    open_rows = await repo.open_invoices_for_update(customer.id, effective_date)
    # what each may take from `effective_date` on: an invoice reopened by a later-dated unapply
    # was not open then
    applied = await repo.applied_to([i.id for i in open_rows]) if open_rows else {}
    room = {i.id: applicable(i.amount_minor, applied[i.id], effective_date) for i in open_rows}
    candidates = [
        OpenInvoice(i.id, i.invoice_number, i.issue_date, i.due_date, room[i.id])
        for i in open_rows
        if room[i.id] > 0
    ]
    return auto_allocate(available, candidates, remittance_reference)


async def execute(
    session: AsyncSession,
    actor: Actor,
    customer: Customer,
    source: Payment | CreditMemo,
    allocations: Sequence[Allocation],
    *,
    effective_date: date,
    event_source_kind: Literal["payment", "credit_memo", "unapplied_cash"] | None = None,
) -> list[Application]:
    """Applies the planned allocations; refuses (nothing written) any beyond an open balance
    or to another customer's invoice."""
    if not allocations:
        return []
    kind: Literal["payment", "credit_memo"] = "payment" if isinstance(source, Payment) else "credit_memo"
    invoices = await invoices_by_id(session, sorted({a.invoice_id for a in allocations}))
    applications = []
    for allocation in allocations:
        application = await apply_to_invoice(
            session,
            actor,
            customer,
            invoices[allocation.invoice_id],
            source_kind=kind,
            source_id=source.id,
            amount_minor=allocation.amount_minor,
            effective_date=effective_date,
            event_source_kind=event_source_kind,
            deduction_reason=allocation.deduction_reason,
        )
        source.unapplied_minor -= allocation.amount_minor
        applications.append(application)
    return applications


async def allocate(
    session: AsyncSession,
    actor: Actor,
    customer: Customer,
    source: Payment | CreditMemo,
    *,
    requested: Sequence[RequestedAllocation] | None,
    effective_date: date,
    remittance_reference: str | None = None,
    event_source_kind: Literal["payment", "credit_memo", "unapplied_cash"] | None = None,
) -> list[Application]:
    allocations = await plan(
        session,
        customer,
        source,
        requested=requested,
        effective_date=effective_date,
        remittance_reference=remittance_reference,
    )
    return await execute(
        session,
        actor,
        customer,
        source,
        allocations,
        effective_date=effective_date,
        event_source_kind=event_source_kind,
    )


def _check_requested(requested: Sequence[RequestedAllocation], available: int, currency: str) -> None:
    errors = [
        FieldError(field=f"allocations.{n}.amount", message="must be positive", code="amount_not_positive")
        for n, r in enumerate(requested)
        if r.amount_minor <= 0
    ]
    seen: set[uuid.UUID] = set()
    for n, r in enumerate(requested):
        if r.invoice_id in seen:
            errors.append(
                FieldError(
                    field=f"allocations.{n}.invoice_id",
                    message="invoice listed twice",
                    code="duplicate_invoice",
                )
            )
        seen.add(r.invoice_id)
    if errors:
        raise Unprocessable("allocations are invalid", code="invalid_allocations", errors=errors)
    total = sum(r.amount_minor for r in requested)
    if total > available:
        raise Unprocessable(
            f"allocations total {Money(total, currency)} but only {Money(available, currency)} is unapplied "
            "on that date and after",
            code="exceeds_unapplied",
        )


def requested_allocations(
    allocations: Sequence[AllocationIn] | None, currency: str
) -> list[RequestedAllocation] | None:
    """The API's allocations in minor units, all in the source's currency."""
    if allocations is None:
        return None
    for n, a in enumerate(allocations):
        if a.amount.currency != currency:
            raise Unprocessable(
                f"allocation {n} is in {a.amount.currency}, the payment in {currency}",
                code="currency_mismatch",
            )
    return [
        RequestedAllocation(a.invoice_id, a.amount.to_money().minor, a.deduction_reason) for a in allocations
    ]
