"""SQL for postings: journal entries and lines, applications, locks on customers and documents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain.journal import Line
from ar_ledger.models import Application, Customer, Invoice, JournalEntry, JournalLine


class PostingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_customer(
        self, customer_id: uuid.UUID | None = None, external_id: str | None = None
    ) -> Customer | None:
        # every posting of a customer takes this lock first: balances stay consistent and the
        # outbox ids of one customer's events follow commit order
        condition = (
            Customer.id == customer_id if customer_id is not None else Customer.external_id == external_id
        )
        query = select(Customer).where(condition).with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def invoices_for_update(self, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Invoice]:
        query = select(Invoice).where(Invoice.id.in_(invoice_ids)).order_by(Invoice.id).with_for_update()
        return {i.id: i for i in (await self.session.scalars(query)).all()}

    async def open_invoices_for_update(self, customer_id: uuid.UUID, on: date) -> Sequence[Invoice]:
        """Invoices of the customer open on date `on` (issued by then, not void), locked."""
        query = (
            select(Invoice)
            .where(
                Invoice.customer_id == customer_id,
                Invoice.open_minor > 0,
                Invoice.issue_date <= on,
                Invoice.status == "open",
            )
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def add_entry(
        self,
        *,
        customer_id: uuid.UUID,
        kind: str,
        document_id: uuid.UUID,
        effective_date: date,
        currency: str,
        lines: Sequence[Line],
        invoice_id: uuid.UUID | None,
    ) -> None:
        entry = JournalEntry(
            id=uuid.uuid4(),
            customer_id=customer_id,
            kind=kind,
            document_id=document_id,
            effective_date=effective_date,
        )
        self.session.add(entry)
        self.session.add_all(
            JournalLine(
                entry_id=entry.id,
                customer_id=customer_id,
                invoice_id=invoice_id,
                account=line.account.value,
                currency=currency,
                debit_minor=line.debit_minor,
                credit_minor=line.credit_minor,
            )
            for line in lines
        )

    async def add_application(self, application: Application) -> None:
        self.session.add(application)

    async def active_applications_of_source(self, source_id: uuid.UUID) -> Sequence[Application]:
        query = (
            select(Application)
            .where(Application.source_id == source_id, Application.reversed_on.is_(None))
            .order_by(Application.seq)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def invoice_has_active_applications(self, invoice_id: uuid.UUID) -> bool:
        query = select(Application.id).where(
            Application.invoice_id == invoice_id, Application.reversed_on.is_(None)
        )
        return (await self.session.scalars(query.limit(1))).first() is not None

    async def add_to_open_ar(self, totals: dict[uuid.UUID, int]) -> None:
        """One statement for any number of customers (bulk issue).

        The totals go as NUMERIC: a batch may add up past BIGINT, which PostgreSQL then refuses
        (numeric_value_out_of_range, answered 422) instead of the driver failing to send it.
        """
        await self.session.execute(
            text(
                "UPDATE ledger.customers c SET open_ar_minor = c.open_ar_minor + v.total"
                " FROM unnest(CAST(:ids AS uuid[]), CAST(:totals AS numeric[])) AS v(id, total)"
                " WHERE c.id = v.id"
            ),
            {"ids": list(totals), "totals": list(totals.values())},
        )

    async def adjust_customer(
        self, customer_id: uuid.UUID, *, open_ar: int = 0, unapplied_cash: int = 0, unapplied_credits: int = 0
    ) -> None:
        await self.session.execute(
            update(Customer)
            .where(Customer.id == customer_id)
            .values(
                open_ar_minor=Customer.open_ar_minor + open_ar,
                unapplied_cash_minor=Customer.unapplied_cash_minor + unapplied_cash,
                unapplied_credits_minor=Customer.unapplied_credits_minor + unapplied_credits,
            )
        )
