"""Applies ledger events to the exposure picture, and reads it for checks and policies."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.exposure.repository import ExposureRepository
from ar_credit.models import CreditInvoice
from ar_shared.money import MoneyAmount, MoneyTotal


def minor(amount: MoneyTotal) -> int:
    return amount.to_money().minor


async def invoice_issued(
    session: AsyncSession,
    *,
    invoice_id: uuid.UUID,
    customer_id: uuid.UUID,
    invoice_number: str,
    amount: MoneyAmount,
    due_date: date,
    order_reference: str | None,
) -> None:
    repo = ExposureRepository(session)
    await repo.exposure_for_update(customer_id, amount.currency)
    added = await repo.add_invoice(
        CreditInvoice(
            id=invoice_id,
            customer_id=customer_id,
            invoice_number=invoice_number,
            currency=amount.currency,
            amount_minor=minor(amount),
            open_minor=minor(amount),
            due_date=due_date,
            order_reference=order_reference,
        )
    )
    if added:
        await repo.adjust(customer_id, open_ar=minor(amount))


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
