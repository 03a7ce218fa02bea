"""Applies ledger events to the exposure picture, and reads it for checks and policies."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.domain.credit import ExposureParts
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


@dataclass(frozen=True, slots=True)
class Picture:
    """What a customer's credit is judged on: exposure parts, limit and risk class, on a date."""

    currency: str | None  # None: nothing was ever posted
    parts: ExposureParts
    limit_minor: int | None  # None: no credit profile
    risk_class: str | None


async def pictures(session: AsyncSession, dates: Mapping[uuid.UUID, date]) -> dict[uuid.UUID, Picture]:
    """The picture of every customer in `dates` on its own date, read with one statement."""
    rows = await ExposureRepository(session).pictures(dates)
    result = {}
    for customer_id, today in dates.items():
        r = rows[customer_id]
        oldest_days = max((today - r.oldest_due).days, 0) if r.oldest_due else 0
        parts = ExposureParts(
            open_ar=r.open_ar,
            unapplied_cash=r.unapplied_cash,
            unapplied_credits=r.unapplied_credits,
            open_orders=r.open_orders,
            disputed=r.disputed,
            overdue=r.overdue,
            oldest_days_past_due=oldest_days,
        )
        result[customer_id] = Picture(r.currency, parts, r.limit_minor, r.risk_class)
    return result


async def parts(
    session: AsyncSession, customer_id: uuid.UUID, today: date
) -> tuple[str | None, ExposureParts]:
    """The customer's currency (None when nothing was ever posted) and exposure parts on `today`."""
    picture = (await pictures(session, {customer_id: today}))[customer_id]
    return picture.currency, picture.parts
