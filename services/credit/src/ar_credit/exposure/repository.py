"""SQL for the invoice projection and the running exposure balances."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT, DATE, TEXT, TIMESTAMP, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.domain.credit import overdue_sql
from ar_credit.models import CreditCustomer, CreditDispute, CreditExposure, CreditHold, CreditInvoice

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

    async def set_open(self, invoice_id: uuid.UUID, open_minor: int) -> int:
        """Sets an invoice's open balance and returns the change (new - old)."""
        invoice = await self.session.get(CreditInvoice, invoice_id, with_for_update=True)
        if invoice is None:
            return 0
        change = open_minor - invoice.open_minor
        invoice.open_minor = open_minor
        return change

    async def customers_to_evaluate(self, business_entity: str, today: date) -> list[uuid.UUID]:
        """The entity's customers a new business date may put over or back within a policy: those
        with an open invoice due before `today` (days past due grew) or an active policy hold."""
        of_entity = select(CreditCustomer.id).where(CreditCustomer.business_entity == business_entity)
        overdue = select(CreditInvoice.customer_id).where(
            CreditInvoice.customer_id.in_(of_entity),
            CreditInvoice.open_minor > 0,
            text(overdue_sql("credit.invoices.due_date", ":today")).bindparams(today=today),
        )
        held = select(CreditHold.customer_id).where(
            CreditHold.customer_id.in_(of_entity),
            CreditHold.source == "policy",
            CreditHold.status == "active",
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
