"""The posting engine: every movement of the ledger writes its journal entry and moves the
customer's balances here, and nowhere else.

A `Movement` is one balanced entry of one customer. `post` writes any number of them: a few with
one multi-row INSERT per table, thousands with COPY, and one UPDATE of the balances, which are
derived from the lines (`journal.balance_change`), never stated beside them. The hot
single-invoice path writes the same rows, with the document, its audit record and its event, in
one statement (`post_with_document`). Row shapes and column lists come from `postings.rows`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import FromClause
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain import journal
from ar_ledger.domain.journal import BalanceChange
from ar_ledger.models import JournalEntry, JournalLine
from ar_ledger.postings.repository import PostingRepository
from ar_ledger.postings.rows import NewJournalEntry, NewJournalLine, Row

R = TypeVar("R", bound=Row)

# from this many rows on, COPY beats a multi-row INSERT (measured with bench/ledger_bench.py)
COPY_FROM_ROWS = 64


@dataclass(frozen=True)
class Movement:
    """One balanced journal entry of one customer, for one document."""

    customer_id: uuid.UUID
    kind: str  # what happened, as statements show it: invoice_issued, payment_applied, ...
    document_id: uuid.UUID
    effective_date: date
    currency: str
    lines: Sequence[journal.Line]
    invoice_id: uuid.UUID | None = None  # the invoice an AR line belongs to
    entry_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def __post_init__(self) -> None:
        journal.assert_balanced(self.lines)

    @property
    def balances(self) -> BalanceChange:
        return journal.balance_change(self.lines)

    def entry(self) -> NewJournalEntry:
        return NewJournalEntry(
            self.entry_id, self.customer_id, self.kind, self.document_id, self.effective_date
        )

    def line_rows(self) -> list[NewJournalLine]:
        return [
            NewJournalLine(
                self.entry_id,
                self.customer_id,
                self.invoice_id,
                line.account.value,
                self.currency,
                line.debit_minor,
                line.credit_minor,
            )
            for line in self.lines
        ]


async def write_rows(session: AsyncSession, table: FromClause, rows: Sequence[Row]) -> None:
    """New rows of one table: INSERT for a few, COPY for many."""
    repo = PostingRepository(session)
    if len(rows) >= COPY_FROM_ROWS:
        await repo.copy_rows(table, type(rows[0]), rows)
    elif rows:
        await repo.insert_rows(table, rows)


async def stream_rows(session: AsyncSession, table: FromClause, row_type: type[R], rows: Iterable[R]) -> None:
    """Many new rows of one table with COPY, each made as COPY sends it (a generator): PostgreSQL
    stores the rows sent while Python makes the next ones."""
    await PostingRepository(session).copy_rows(table, row_type, rows)


async def post(session: AsyncSession, movements: Sequence[Movement]) -> None:
    """Journal entries and lines of the movements, and every customer's balances moved by them.

    The caller holds the customers' locks (every posting of a customer takes it first).
    """
    if not movements:
        return
    if len(movements) >= COPY_FROM_ROWS:
        entries = (m.entry() for m in movements)
        await stream_rows(session, JournalEntry.__table__, NewJournalEntry, entries)
        lines = (line for m in movements for line in m.line_rows())
        await stream_rows(session, JournalLine.__table__, NewJournalLine, lines)
    else:
        await write_rows(session, JournalEntry.__table__, [m.entry() for m in movements])
        await write_rows(session, JournalLine.__table__, [line for m in movements for line in m.line_rows()])
    changes: dict[uuid.UUID, BalanceChange] = defaultdict(BalanceChange)
    for movement in movements:
        changes[movement.customer_id] += movement.balances
    await PostingRepository(session).move_balances(changes)


async def post_with_document(
    session: AsyncSession,
    document_table: FromClause,
    document: Row,
    movement: Movement,
    *,
    audit: tuple[object, ...],
    event: tuple[object, ...],
    customer_version: int,
) -> bool:
    """A new document, its entry, the balances, its audit record and its event in one statement,
    written only while the customer is still at `customer_version`; tells whether it was."""
    return await PostingRepository(session).add_in_one_statement(
        document_table,
        document,
        movement.entry(),
        movement.line_rows(),
        movement.balances,
        audit=audit,
        event=event,
        customer_id=movement.customer_id,
        customer_version=customer_version,
    )
