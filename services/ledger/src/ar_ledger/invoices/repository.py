"""SQL for invoices, including the set-based bulk write path (COPY)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.models import Application, Customer, Invoice, JournalEntry, JournalLine, plumbing
from ar_shared.audit import AuditLog
from ar_shared.db import copy_records, insert_sql
from ar_shared.outbox import OutboxWriter


class InvoiceNumberTaken(Exception):
    """The (business entity, invoice number) pair exists already."""


@dataclass(frozen=True, slots=True)
class BillingTerms:
    """What issuing an invoice needs to know of its customer (read under the customer's lock)."""

    id: uuid.UUID
    external_id: str
    currency: str
    payment_terms_days: int
    business_entity: str
    version: int  # every change of the customer raises it


@dataclass(frozen=True, slots=True)
class NewInvoiceRows:
    """Everything one new invoice writes, each in its table's column order."""

    invoice: tuple[object, ...]
    journal_entry: tuple[object, ...]
    journal_lines: tuple[tuple[object, ...], tuple[object, ...]]
    customer_id: uuid.UUID
    open_ar_increase: int
    audit: tuple[object, ...]
    event: tuple[object, ...]
    customer_version: int  # the terms the invoice was built with


@dataclass(frozen=True, slots=True)
class InvoiceFilters:
    """What a list of invoices may be narrowed by, besides the customer."""

    status: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue_on: date | None = None


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, invoice_id: uuid.UUID) -> Invoice | None:
        return await self.session.get(Invoice, invoice_id)

    async def get_for_update(self, invoice_id: uuid.UUID) -> Invoice | None:
        return (
            await self.session.scalars(select(Invoice).where(Invoice.id == invoice_id).with_for_update())
        ).one_or_none()

    async def applications_to(self, invoice_id: uuid.UUID) -> Sequence[Application]:
        """Every application to the invoice, taken back or not, in the order they were made."""
        query = select(Application).where(Application.invoice_id == invoice_id).order_by(Application.seq)
        return (await self.session.scalars(query)).all()

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

    async def lock_billing_terms(
        self, customer_id: uuid.UUID | None, external_id: str | None
    ) -> BillingTerms | None:
        """Locks the customer (every posting of a customer takes this lock first) and reads its terms."""
        query = LOCK_TERMS_BY_ID if customer_id is not None else LOCK_TERMS_BY_EXTERNAL_ID
        # through the Core connection: the ORM's execution layer has nothing to add to a plain row
        connection = await self.session.connection()
        row = (await connection.execute(query, {"key": customer_id or external_id})).first()
        return BillingTerms(*row) if row else None

    async def add_issued(self, rows: NewInvoiceRows) -> bool:
        """Invoice, journal entry and lines, balance, audit record and event in one statement.

        It writes only while the customer is still at `rows.customer_version` (its row locked by
        the balance update the statement starts with) and tells whether it did: built from terms
        that changed meanwhile, it writes nothing. The unique index on (business entity, invoice
        number) is the duplicate check.
        """
        parameters = (
            rows.open_ar_increase, rows.customer_id, rows.customer_version, *rows.invoice,
            *rows.journal_entry, *rows.journal_lines[0], *rows.journal_lines[1], *rows.audit, *rows.event,
        )  # fmt: skip
        connection = await self.session.connection()
        try:
            written = (await connection.exec_driver_sql(ISSUE_ONE, parameters)).scalar_one()
        except IntegrityError as exc:
            if "uq_invoices_entity_number" in str(exc.orig):
                raise InvoiceNumberTaken from None
            raise
        return bool(written)

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
        filters: InvoiceFilters,
    ) -> Sequence[Invoice]:
        query = select(Invoice).order_by(Invoice.due_date, Invoice.id).limit(limit)
        if after is not None:
            query = query.where(tuple_(Invoice.due_date, Invoice.id) > tuple_(*after))
        if customer_id is not None:
            query = query.where(Invoice.customer_id == customer_id)
        if filters.status is not None:
            query = query.where(Invoice.status == filters.status)
        if filters.due_from is not None:
            query = query.where(Invoice.due_date >= filters.due_from)
        if filters.due_to is not None:
            query = query.where(Invoice.due_date <= filters.due_to)
        if filters.overdue_on is not None:
            query = query.where(
                Invoice.open_minor > 0, Invoice.due_date < filters.overdue_on, Invoice.status == "open"
            )
        return (await self.session.scalars(query)).all()


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
INVOICE_COLUMNS = [*INVOICE_COPY_COLUMNS, "created_at"]
ENTRY_COLUMNS = ["id", "customer_id", "kind", "document_id", "effective_date"]
LINE_COLUMNS = ["entry_id", "customer_id", "invoice_id", "account", "currency", "debit_minor", "credit_minor"]

_TERMS = (
    "SELECT id, external_id, currency, payment_terms_days, business_entity, version FROM ledger.customers"
)
LOCK_TERMS_BY_ID = text(f"{_TERMS} WHERE id = :key FOR UPDATE")
LOCK_TERMS_BY_EXTERNAL_ID = text(f"{_TERMS} WHERE external_id = :key FOR UPDATE")


def _issue_one_sql() -> str:
    """One statement of data-modifying CTEs. The first adds the invoice to the customer's balance
    if the customer is still at the expected version, locking its row; every insert selects from
    it, so with a changed customer nothing is written and the statement answers 0. Foreign keys
    are checked at the statement's end, so the lines may reference the entry written beside them.
    """
    guard = "UPDATE ledger.customers SET open_ar_minor = open_ar_minor + $1 WHERE id = $2 AND version = $3"
    n = 4
    parts = [f"guard AS ({guard} RETURNING id)"]
    for name, table, columns, rows in [
        ("invoice", Invoice.__table__, INVOICE_COLUMNS, 1),
        ("entry", JournalEntry.__table__, ENTRY_COLUMNS, 1),
        ("lines", JournalLine.__table__, LINE_COLUMNS, 2),
        ("audit", plumbing.audit_log, AuditLog.COLUMNS, 1),
        ("event", plumbing.outbox, OutboxWriter.COLUMNS, 1),
    ]:
        parts.append(f"{name} AS ({insert_sql(table, columns, n, rows, for_each_row_of='guard')})")
        n += len(columns) * rows
    return f"WITH {', '.join(parts)} SELECT count(*) FROM guard"  # noqa: S608 - generated from metadata


ISSUE_ONE = _issue_one_sql()
