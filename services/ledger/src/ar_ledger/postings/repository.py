"""SQL for postings: journal entries and lines, applications, locks on customers and documents."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache

import asyncpg
from sqlalchemy import FromClause, Table, insert, null, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain.journal import BalanceChange
from ar_ledger.domain.open_balance import Applied
from ar_ledger.models import Application, Customer, Invoice, JournalEntry, JournalLine, Refund, plumbing
from ar_ledger.postings.rows import NewJournalEntry, NewJournalLine, Row, as_dict, columns_of, values_of
from ar_shared.audit import AuditLog
from ar_shared.db import copy_records, insert_sql
from ar_shared.outbox import OutboxWriter


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

    async def applied_to(self, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Applied]]:
        """Every application to these invoices, taken back or not, per invoice."""
        query = select(
            Application.invoice_id,
            Application.source_kind,
            Application.amount_minor,
            Application.effective_date,
            Application.reversed_on,
            Application.seq,
        ).where(Application.invoice_id.in_(invoice_ids))
        applied: dict[uuid.UUID, list[Applied]] = {i: [] for i in invoice_ids}
        for r in await self.session.execute(query):
            applied[r.invoice_id].append(
                Applied(r.source_kind, r.amount_minor, r.effective_date, r.reversed_on, r.seq)
            )
        return applied

    async def insert_rows(self, table: FromClause, rows: Sequence[Row]) -> None:
        """One multi-row INSERT (pending ORM changes are flushed first: autoflush)."""
        assert isinstance(table, Table)
        await self.session.execute(insert(table), [as_dict(r) for r in rows])

    async def copy_rows(self, table: FromClause, row_type: type[Row], rows: Iterable[Row]) -> None:
        """COPY, for thousands of rows (bulk issue, opening balances); `rows` may be a generator,
        read as COPY sends them."""
        await copy_records(self.session, table, columns_of(row_type), map(values_of, rows))

    async def move_balances(self, changes: dict[uuid.UUID, BalanceChange]) -> None:
        """Adds each customer's change to its kept balances: one statement however many customers.

        Sums go as NUMERIC: a batch may add up past BIGINT, which PostgreSQL then refuses
        (numeric_value_out_of_range, answered 422) instead of the driver failing to send it.
        """
        moved = {c: b for c, b in changes.items() if b != BalanceChange()}
        if not moved:
            return
        await self.session.execute(
            text(
                "UPDATE ledger.customers c SET open_ar_minor = c.open_ar_minor + v.open_ar,"
                " unapplied_cash_minor = c.unapplied_cash_minor + v.cash,"
                " unapplied_credits_minor = c.unapplied_credits_minor + v.credits"
                " FROM unnest(CAST(:ids AS uuid[]), CAST(:open_ar AS numeric[]), CAST(:cash AS numeric[]),"
                " CAST(:credits AS numeric[])) AS v(id, open_ar, cash, credits)"
                " WHERE c.id = v.id"
            ),
            {
                "ids": list(moved),
                "open_ar": [b.open_ar for b in moved.values()],
                "cash": [b.unapplied_cash for b in moved.values()],
                "credits": [b.unapplied_credits for b in moved.values()],
            },
        )

    async def add_in_one_statement(
        self,
        document_table: FromClause,
        document: Row,
        entry: NewJournalEntry,
        lines: Sequence[NewJournalLine],
        balances: BalanceChange,
        *,
        audit: tuple[object, ...],
        event: tuple[object, ...],
        customer_id: uuid.UUID,
        customer_version: int,
    ) -> bool:
        """Document, journal entry and lines, balances, audit record and event in one statement.

        It writes only while the customer is still at `customer_version` (its row locked by the
        balance update the statement starts with) and tells whether it did. A unique index the
        document breaks raises `DuplicateDocument` naming it.
        """
        sql = _one_statement_sql(document_table, type(document), len(lines))
        parameters = (
            balances.open_ar, balances.unapplied_cash, balances.unapplied_credits,
            customer_id, customer_version, *values_of(document), *values_of(entry),
            *(v for line in lines for v in values_of(line)), *audit, *event,
        )  # fmt: skip
        connection = await self.session.connection()
        try:
            written = (await connection.exec_driver_sql(sql, parameters)).scalar_one()
        except IntegrityError as exc:
            cause = getattr(exc.orig, "__cause__", None)
            if isinstance(cause, asyncpg.UniqueViolationError) and cause.constraint_name:
                raise DuplicateDocument(cause.constraint_name) from None
            raise
        return bool(written)

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

    async def drawn_from(self, source_id: uuid.UUID) -> list[tuple[int, date, date | None]]:
        """What was ever drawn from a payment or credit memo: (amount, from, taken back on) of each
        application, and (amount, date, None) of each issued refund."""
        applied = select(Application.amount_minor, Application.effective_date, Application.reversed_on).where(
            Application.source_id == source_id
        )
        refunded = select(Refund.amount_minor, Refund.refund_date, null()).where(
            Refund.source_id == source_id, Refund.status == "issued"
        )
        rows = await self.session.execute(applied.union_all(refunded))
        return [(int(r[0]), r[1], r[2]) for r in rows]

    async def invoice_has_active_applications(self, invoice_id: uuid.UUID) -> bool:
        query = select(Application.id).where(
            Application.invoice_id == invoice_id, Application.reversed_on.is_(None)
        )
        return (await self.session.scalars(query.limit(1))).first() is not None


class DuplicateDocument(Exception):
    """A new document broke a unique index (`constraint`): its number exists already."""

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


@cache
def _one_statement_sql(document_table: FromClause, document_type: type[Row], lines: int) -> str:
    """One statement of data-modifying CTEs. The first moves the customer's balances if the
    customer is still at the expected version, locking its row; every insert selects from it, so
    with a changed customer nothing is written and the statement answers 0. Foreign keys are
    checked at the statement's end, so the lines may reference the entry written beside them.
    """
    guard = (
        "UPDATE ledger.customers SET open_ar_minor = open_ar_minor + $1,"
        " unapplied_cash_minor = unapplied_cash_minor + $2,"
        " unapplied_credits_minor = unapplied_credits_minor + $3 WHERE id = $4 AND version = $5"
    )
    n = 6
    parts = [f"guard AS ({guard} RETURNING id)"]
    for name, table, columns, rows in [
        ("document", document_table, columns_of(document_type), 1),
        ("entry", JournalEntry.__table__, columns_of(NewJournalEntry), 1),
        ("lines", JournalLine.__table__, columns_of(NewJournalLine), lines),
        ("audit", plumbing.audit_log, AuditLog.COLUMNS, 1),
        ("event", plumbing.outbox, OutboxWriter.COLUMNS, 1),
    ]:
        parts.append(f"{name} AS ({insert_sql(table, columns, n, rows, for_each_row_of='guard')})")
        n += len(columns) * rows
    return f"WITH {', '.join(parts)} SELECT count(*) FROM guard"  # noqa: S608 - generated from metadata
