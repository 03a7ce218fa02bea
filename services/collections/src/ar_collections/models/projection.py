"""What collections knows of each customer's receivables and credit, projected from the ledger's
and the credit service's events. `ar-collections-rebuild` replays the topics into these tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base


class OpenItem(Base):
    """An invoice of the customer; open while `open_minor` > 0 (the ledger says what it is)."""

    __tablename__ = "open_items"
    __table_args__ = (
        Index(
            "ix_open_items_customer_open", "customer_id", "due_date", postgresql_where=text("open_minor > 0")
        ),
        Index("ix_open_items_changed_at", "changed_at"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    business_entity: Mapped[str] = mapped_column(Text)
    invoice_number: Mapped[str] = mapped_column(Text)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    # decimal places of the currency: SQL adds up amounts of several currencies in major units
    exponent: Mapped[int] = mapped_column(SmallInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    open_minor: Mapped[int] = mapped_column(BigInteger)
    voided: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    settled_on: Mapped[date | None] = mapped_column(Date)
    po_number: Mapped[str | None] = mapped_column(Text)
    # invoice, or a dunning fee / late interest the ledger issued at collections' request
    document_kind: Mapped[str] = mapped_column(Text, default="invoice", server_default=text("'invoice'"))
    # the periodic re-assessment of balance bands looks at accounts whose items moved
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


# `open_minor > 0` with the 0 written into the statement, not bound: PostgreSQL switches a
# prepared statement to a generic plan after five runs, and a generic plan cannot use the partial
# index `ix_open_items_customer_open` for a bound `$1` (the strategy run's per-chunk reads went
# from ~25 ms to ~300 ms once it did: docs/benchmarks.md).
ITEM_IS_OPEN = OpenItem.open_minor > literal_column("0")


class Payment(Base):
    """Cash received from the customer; `unapplied_minor` is what is not allocated (yet)."""

    __tablename__ = "payments"

    payment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(Text)
    unapplied_minor: Mapped[int] = mapped_column(BigInteger)
    reversed_on: Mapped[date | None] = mapped_column(Date)


class CreditMemo(Base):
    """A credit memo; `unapplied_minor` is what is not applied to an invoice (yet)."""

    __tablename__ = "credit_memos"

    memo_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), index=True)
    memo_number: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    unapplied_minor: Mapped[int] = mapped_column(BigInteger)
    issue_date: Mapped[date] = mapped_column(Date)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column()
    reason_code: Mapped[str | None] = mapped_column(Text)


class CreditHold(Base):
    """A credit hold the credit service placed (and maybe released). Credit events travel on
    another topic than the customer's ledger events, so no foreign key: a hold may come first."""

    __tablename__ = "credit_holds"

    hold_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    reason_code: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(Text)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[str | None] = mapped_column(Text)
    release_reason: Mapped[str | None] = mapped_column(Text)


class CreditProfile(Base):
    """Risk class, score and limit from the credit service (no foreign key, as for holds): the class
    of the credit profile once credit announced one, else the latest review's."""

    __tablename__ = "credit_profiles"

    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    risk_class: Mapped[str | None] = mapped_column(Text)
    # the credit profile version that set `risk_class` (CreditRiskClassChanged): an older change
    # arriving late is ignored; None while only a review's class is known
    risk_class_version: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    credit_limit_minor: Mapped[int | None] = mapped_column(BigInteger)
    credit_limit_currency: Mapped[str | None] = mapped_column(String(3))
    next_review_on: Mapped[date | None] = mapped_column(Date)


class EntityCalendar(Base):
    """The latest `BusinessDateChanged` of each business entity."""

    __tablename__ = "entity_calendars"

    business_entity: Mapped[str] = mapped_column(Text, primary_key=True)
    time_zone: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(Text)
    business_date: Mapped[date] = mapped_column(Date)
    previous_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ItemMovement(Base):
    """Every change of an item's open balance, dated when it took effect (issued +, voided -,
    applied -, unapplied +, reopened by a reversal +, written off -): the open balance as of any
    date is the sum up to it, as the ledger's reports compute it."""

    __tablename__ = "item_movements"
    __table_args__ = (Index("ix_item_movements_customer_date", "customer_id", "effective_date"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    # the application, write-off or payment that moved it (the invoice itself when issued or voided)
    source_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column()
    effective_date: Mapped[date] = mapped_column(Date)
    delta_minor: Mapped[int] = mapped_column(BigInteger)
