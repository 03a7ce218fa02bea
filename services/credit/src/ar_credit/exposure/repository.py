"""SQL for the invoice projection and the running exposure balances."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT, DATE, TEXT, TIMESTAMP, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import CreditDispute, CreditExposure, CreditHold, CreditInvoice

# New invoices and the open AR they add, in one statement however many the batch holds: the
# invoices go in as arrays; only those not known yet (a replay adds nothing) add to the customer's
# exposure row, created at zero the first time, which is stamped with the time of the latest
# event applied (so the after-batch stamp finds it current and writes nothing). Rows are taken in
# customer order, as every writer of several exposure rows takes their locks: no deadlock.
ADD_INVOICES = text(
    """
    WITH added AS (
        INSERT INTO credit.invoices
            (id, customer_id, invoice_number, currency, amount_minor, open_minor, due_date, order_reference)
        SELECT i.id, i.customer_id, i.invoice_number, i.currency, i.amount_minor, i.amount_minor, i.due_date,
               i.order_reference
        FROM unnest(:ids, :customers, :numbers, :currencies, :amounts, :due_dates, :order_references)
             AS i(id, customer_id, invoice_number, currency, amount_minor, due_date, order_reference)
        ON CONFLICT (id) DO NOTHING
        RETURNING id, customer_id, currency, amount_minor
    )
    INSERT INTO credit.exposures AS e (customer_id, currency, open_ar_minor, last_event_at)
    SELECT a.customer_id, min(a.currency), sum(a.amount_minor)::bigint, max(t.at)
    FROM added a JOIN unnest(:ids, :times) AS t(id, at) ON t.id = a.id
    GROUP BY a.customer_id ORDER BY a.customer_id
    ON CONFLICT (customer_id) DO UPDATE
    SET open_ar_minor = e.open_ar_minor + excluded.open_ar_minor,
        last_event_at = greatest(e.last_event_at, excluded.last_event_at), updated_at = now()
    """
).bindparams(
    bindparam("ids", type_=ARRAY(UUID(as_uuid=True))),
    bindparam("customers", type_=ARRAY(UUID(as_uuid=True))),
    bindparam("numbers", type_=ARRAY(TEXT)),
    bindparam("currencies", type_=ARRAY(TEXT)),
    bindparam("amounts", type_=ARRAY(BIGINT)),
    bindparam("due_dates", type_=ARRAY(DATE)),
    bindparam("order_references", type_=ARRAY(TEXT)),
    bindparam("times", type_=ARRAY(TIMESTAMP(timezone=True))),
)

# Stamps each customer's exposure with the time of the last event applied for it (never moving
# back, and not rewriting a row already stamped), creating the row at zero for a customer known
# only from CustomerUpserted so far.
EVENTS_APPLIED = text(
    """
    INSERT INTO credit.exposures AS e (customer_id, currency, last_event_at)
    SELECT c.id, c.currency, v.at
    FROM unnest(:customers, :times) AS v(customer_id, at)
    JOIN credit.customers c ON c.id = v.customer_id
    ORDER BY c.id
    ON CONFLICT (customer_id) DO UPDATE SET last_event_at = excluded.last_event_at
    WHERE e.last_event_at IS NULL OR e.last_event_at < excluded.last_event_at
    """
).bindparams(
    bindparam("customers", type_=ARRAY(UUID(as_uuid=True))),
    bindparam("times", type_=ARRAY(TIMESTAMP(timezone=True))),
)

# The exposure picture of many customers at once, each on its own date: balances, limit, risk
# class, and the overdue amount and oldest open due date from the open invoices (index
# ix_invoices_customer_open_due: the sum reads only the invoices due before that date).
PICTURES = text(
    """
    SELECT v.customer_id, e.currency, e.open_ar_minor, e.unapplied_cash_minor, e.unapplied_credits_minor,
           e.open_orders_minor, e.disputed_minor, p.limit_minor, p.risk_class,
           coalesce((SELECT sum(i.open_minor) FROM credit.invoices i
                     WHERE i.customer_id = v.customer_id AND i.open_minor > 0 AND i.due_date < v.today), 0
           )::bigint AS overdue,
           (SELECT min(i.due_date) FROM credit.invoices i
            WHERE i.customer_id = v.customer_id AND i.open_minor > 0) AS oldest_due
    FROM unnest(:customers, :dates) AS v(customer_id, today)
    LEFT JOIN credit.exposures e ON e.customer_id = v.customer_id
    LEFT JOIN credit.credit_profiles p ON p.customer_id = v.customer_id
    """
).bindparams(
    bindparam("customers", type_=ARRAY(UUID(as_uuid=True))),
    bindparam("dates", type_=ARRAY(DATE)),
)


@dataclass(frozen=True, slots=True)
class NewInvoice:
    id: uuid.UUID
    customer_id: uuid.UUID
    invoice_number: str
    currency: str
    amount_minor: int
    due_date: date
    order_reference: str | None
    event_time: datetime  # of the event that issued it


@dataclass(frozen=True, slots=True)
class PictureRow:
    """A customer's balances (None: nothing posted yet), limit and risk class (None: no profile)."""

    currency: str | None
    open_ar: int
    unapplied_cash: int
    unapplied_credits: int
    open_orders: int
    disputed: int
    limit_minor: int | None
    risk_class: str | None
    overdue: int
    oldest_due: date | None


class ExposureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def exposure_for_update(self, customer_id: uuid.UUID, currency: str) -> CreditExposure:
        """The customer's row, created at zero the first time, locked for this transaction."""
        await self.session.execute(
            insert(CreditExposure).values(customer_id=customer_id, currency=currency).on_conflict_do_nothing()
        )
        query = select(CreditExposure).where(CreditExposure.customer_id == customer_id).with_for_update()
        return (await self.session.scalars(query)).one()

    async def exposure(self, customer_id: uuid.UUID) -> CreditExposure | None:
        return await self.session.get(CreditExposure, customer_id)

    async def invoice(self, invoice_id: uuid.UUID) -> CreditInvoice | None:
        return await self.session.get(CreditInvoice, invoice_id)

    async def add_invoices(self, invoices: Sequence[NewInvoice]) -> None:
        """Adds the invoices not known yet and their amounts to their customers' open AR."""
        if not invoices:
            return
        await self.session.execute(
            ADD_INVOICES,
            {
                "ids": [i.id for i in invoices],
                "customers": [i.customer_id for i in invoices],
                "numbers": [i.invoice_number for i in invoices],
                "currencies": [i.currency for i in invoices],
                "amounts": [i.amount_minor for i in invoices],
                "due_dates": [i.due_date for i in invoices],
                "order_references": [i.order_reference for i in invoices],
                "times": [i.event_time for i in invoices],
            },
        )

    async def events_applied(self, last_event_at: Mapping[uuid.UUID, datetime]) -> None:
        if last_event_at:
            await self.session.execute(
                EVENTS_APPLIED, {"customers": list(last_event_at), "times": list(last_event_at.values())}
            )

    async def pictures(self, dates: Mapping[uuid.UUID, date]) -> dict[uuid.UUID, PictureRow]:
        """Every customer of `dates` (known or not) with its picture on its date."""
        if not dates:
            return {}
        rows = await self.session.execute(PICTURES, {"customers": list(dates), "dates": list(dates.values())})
        return {
            r.customer_id: PictureRow(
                r.currency,
                r.open_ar_minor or 0,
                r.unapplied_cash_minor or 0,
                r.unapplied_credits_minor or 0,
                r.open_orders_minor or 0,
                r.disputed_minor or 0,
                r.limit_minor,
                r.risk_class,
                r.overdue,
                r.oldest_due,
            )
            for r in rows
        }

    async def set_open(self, invoice_id: uuid.UUID, open_minor: int) -> int:
        """Sets an invoice's open balance and returns the change (new - old)."""
        invoice = await self.session.get(CreditInvoice, invoice_id, with_for_update=True)
        if invoice is None:
            return 0
        change = open_minor - invoice.open_minor
        invoice.open_minor = open_minor
        return change

    async def customers_to_evaluate(self, today: date) -> list[uuid.UUID]:
        """Customers with an overdue invoice (it may have crossed a threshold) or an active
        policy hold (it may be cured)."""
        overdue = select(CreditInvoice.customer_id).where(
            CreditInvoice.open_minor > 0, CreditInvoice.due_date < today
        )
        held = select(CreditHold.customer_id).where(
            CreditHold.source == "policy", CreditHold.status == "active"
        )
        return sorted(set((await self.session.scalars(overdue.union(held))).all()))

    async def open_dispute(self, dispute: CreditDispute) -> bool:
        """False when the dispute was already known."""
        statement = insert(CreditDispute).values(
            id=dispute.id,
            customer_id=dispute.customer_id,
            invoice_id=dispute.invoice_id,
            currency=dispute.currency,
            amount_minor=dispute.amount_minor,
            open=True,
        )
        result = await self.session.execute(statement.on_conflict_do_nothing().returning(CreditDispute.id))
        return result.scalar_one_or_none() is not None

    async def close_dispute(self, dispute_id: uuid.UUID) -> int:
        """Closes an open dispute; returns the amount that stops being disputed (0 if unknown)."""
        dispute = await self.session.get(CreditDispute, dispute_id, with_for_update=True)
        if dispute is None or not dispute.open:
            return 0
        dispute.open = False
        return dispute.amount_minor

    async def adjust(self, customer_id: uuid.UUID, **deltas: int) -> None:
        values = {f"{k}_minor": getattr(CreditExposure, f"{k}_minor") + v for k, v in deltas.items() if v}
        if values:
            await self.session.execute(
                update(CreditExposure).where(CreditExposure.customer_id == customer_id).values(**values)
            )
