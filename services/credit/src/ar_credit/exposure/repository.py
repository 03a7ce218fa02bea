"""SQL for the invoice projection and the running exposure balances."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import CreditCustomer, CreditDispute, CreditExposure, CreditHold, CreditInvoice


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

    async def add_invoice(self, invoice: CreditInvoice) -> bool:
        """False when it was already known (a replayed event)."""
        statement = insert(CreditInvoice).values(
            id=invoice.id,
            customer_id=invoice.customer_id,
            invoice_number=invoice.invoice_number,
            currency=invoice.currency,
            amount_minor=invoice.amount_minor,
            open_minor=invoice.open_minor,
            due_date=invoice.due_date,
            order_reference=invoice.order_reference,
        )
        result = await self.session.execute(statement.on_conflict_do_nothing().returning(CreditInvoice.id))
        return result.scalar_one_or_none() is not None

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
            CreditInvoice.due_date < today,
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
