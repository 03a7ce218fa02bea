"""The double-entry journal under the sub-ledger: one balanced entry per movement."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_ledger.models.base import Base


class JournalEntry(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        # statements and balances as of a date read one customer's entries by date; no query
        # looks entries up by document, and every index costs each posting a write
        Index("ix_journal_entries_customer_effective", "customer_id", "effective_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(Text)
    document_id: Mapped[uuid.UUID] = mapped_column()
    # indexed: max(effective_date) tells reports whether anything is dated after their as-of date
    effective_date: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class JournalLine(Base):
    __tablename__ = "journal_lines"
    __table_args__ = (
        CheckConstraint(
            "(debit_minor > 0 AND credit_minor = 0) OR (credit_minor > 0 AND debit_minor = 0)",
            name="one_side_positive",
        ),
        Index("ix_journal_lines_entry", "entry_id"),
        Index("ix_journal_lines_customer_account", "customer_id", "account"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journal_entries.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column()
    invoice_id: Mapped[uuid.UUID | None] = mapped_column()
    account: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    debit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
