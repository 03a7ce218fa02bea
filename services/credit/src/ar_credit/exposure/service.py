"""Applies ledger events to the exposure picture, and reads it for checks and policies."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.exposure.repository import ExposureRepository, NewInvoice
from ar_shared.events.ledger import InvoiceIssued
from ar_shared.money import MoneyAmount, MoneyTotal


def minor(amount: MoneyTotal) -> int:
    return amount.to_money().minor


async def invoices_issued(session: AsyncSession, issued: Sequence[tuple[InvoiceIssued, datetime]]) -> None:
    """New invoices add to their customers' open AR (one statement for a whole batch of them);
    each comes with the time of its event."""
    await ExposureRepository(session).add_invoices(
        [
            NewInvoice(
                id=i.invoice_id,
                customer_id=i.customer_id,
                invoice_number=i.invoice_number,
                currency=i.amount.currency,
                amount_minor=minor(i.amount),
                due_date=i.due_date,
                order_reference=i.order_reference,
                event_time=at,
            )
            for i, at in issued
        ]
    )


async def events_applied(session: AsyncSession, last_event_at: Mapping[uuid.UUID, datetime]) -> None:
    """Exposure is the ledger as of each customer's last applied event (the credit check says so)."""
    await ExposureRepository(session).events_applied(last_event_at)


async def invoice_open_balance(
    session: AsyncSession, customer_id: uuid.UUID, invoice_id: uuid.UUID, open_balance: MoneyAmount
) -> None:
    """The ledger says what an invoice's open balance is now: AR moves by the difference."""
    repo = ExposureRepository(session)
    await repo.exposure_for_update(customer_id, open_balance.currency)
    change = await repo.set_open(invoice_id, minor(open_balance))
    await repo.adjust(customer_id, open_ar=change)


async def adjust(session: AsyncSession, customer_id: uuid.UUID, currency: str, **deltas: int) -> None:
    repo = ExposureRepository(session)
    await repo.exposure_for_update(customer_id, currency)
    await repo.adjust(customer_id, **deltas)
