"""SQL for invoices, including the set-based bulk write path (COPY)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.models import Customer, Invoice, JournalEntry, JournalLine
from ar_shared.db import copy_records


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, invoice_id: uuid.UUID) -> Invoice | None:
        return await self.session.get(Invoice, invoice_id)

    async def get_for_update(self, invoice_id: uuid.UUID) -> Invoice | None:
        return (
            await self.session.scalars(select(Invoice).where(Invoice.id == invoice_id).with_for_update())
        ).one_or_none()

    async def numbers_taken(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (business entity, invoice number) pairs already exist."""
        keys = list(keys)
        if not keys:
            return set()
        # two arrays, not 2 x 10,000 bind parameters: one statement whatever the batch size
        query = text(
            "SELECT i.business_entity, i.invoice_number FROM ledger.invoices i"
            " JOIN unnest(CAST(:entities AS text[]), CAST(:numbers AS text[])) AS k(entity, number)"
            " ON i.business_entity = k.entity AND i.invoice_number = k.number"
        )
        params = {"entities": [k[0] for k in keys], "numbers": [k[1] for k in keys]}
        return {
            (r.business_entity, r.invoice_number) for r in (await self.session.execute(query, params)).all()
        }

    async def customers_for_update(
        self, ids: Iterable[uuid.UUID], external_ids: Iterable[str]
    ) -> tuple[dict[uuid.UUID, Customer], dict[str, Customer]]:
        ids, external_ids = set(ids), set(external_ids)
        query = (
            select(Customer)
            .where(Customer.id.in_(ids) | Customer.external_id.in_(external_ids))
            .order_by(Customer.id)  # one lock order for every writer: no deadlocks
            .with_for_update()
        )
        rows = (await self.session.scalars(query)).all()
        return {c.id: c for c in rows}, {c.external_id: c for c in rows}

    async def add(self, invoice: Invoice) -> Invoice:
        """Inserts the invoice; every column is set by the caller, so nothing is read back."""
        self.session.add(invoice)
        await self.session.flush()
        return invoice

    async def copy_invoices(self, records: Sequence[tuple[Any, ...]]) -> None:
        await copy_records(self.session, Invoice.__table__, INVOICE_COPY_COLUMNS, records)

    async def copy_journal(
        self, entries: Sequence[tuple[Any, ...]], lines: Sequence[tuple[Any, ...]]
    ) -> None:
        await copy_records(
            self.session,
            JournalEntry.__table__,
            ["id", "customer_id", "kind", "document_id", "effective_date"],
            entries,
        )
        await copy_records(
            self.session,
            JournalLine.__table__,
            ["entry_id", "customer_id", "invoice_id", "account", "currency", "debit_minor", "credit_minor"],
            lines,
        )

    async def list(
        self,
        *,
        limit: int,
        after: tuple[date, uuid.UUID] | None,
        customer_id: uuid.UUID | None,
        status: str | None,
        due_from: date | None,
        due_to: date | None,
        overdue_on: date | None,
    ) -> Sequence[Invoice]:
        query = select(Invoice).order_by(Invoice.due_date, Invoice.id).limit(limit)
        if after is not None:
            query = query.where(tuple_(Invoice.due_date, Invoice.id) > tuple_(*after))
        if customer_id is not None:
            query = query.where(Invoice.customer_id == customer_id)
        if status is not None:
            query = query.where(Invoice.status == status)
        if due_from is not None:
            query = query.where(Invoice.due_date >= due_from)
        if due_to is not None:
            query = query.where(Invoice.due_date <= due_to)
        if overdue_on is not None:
            query = query.where(
                Invoice.open_minor > 0, Invoice.due_date < overdue_on, Invoice.status == "open"
            )
        return (await self.session.scalars(query)).all()

    async def count_open(self, customer_id: uuid.UUID) -> int:
        query = (
            select(func.count())
            .select_from(Invoice)
            .where(Invoice.customer_id == customer_id, Invoice.open_minor > 0)
        )
        return int(await self.session.scalar(query) or 0)


INVOICE_COPY_COLUMNS = [
    "id",
    "customer_id",
    "business_entity",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "amount_minor",
    "open_minor",
    "status",
    "order_reference",
    "po_number",
    "version",
]
