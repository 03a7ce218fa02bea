"""Collection reason codes (why an open item is not paid yet) and their history per item."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

REASON_SOURCES = ("collector", "workflow")


class ReasonCode(Base):
    """An installation's reason codes; `workflow` ones are also set by promises, disputes, plans."""

    __tablename__ = "reason_codes"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    workflow: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    updated_by: Mapped[str] = mapped_column(Text, server_default=text("'system'"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ItemReason(Base):
    """The current reason code of an open item. Kept apart from the projected item, so a rebuild
    of the projection keeps it."""

    __tablename__ = "item_reasons"
    __table_args__ = (CheckConstraint(f"source IN {REASON_SOURCES}", name="source_known"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), index=True)
    code: Mapped[str] = mapped_column(ForeignKey("reason_codes.code"))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ItemReasonHistory(Base):
    """Every change of an item's reason code (None: cleared)."""

    __tablename__ = "item_reason_history"
    __table_args__ = (
        CheckConstraint(f"source IN {REASON_SOURCES}", name="source_known"),
        Index("ix_item_reason_history_customer", "customer_id", "set_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    code: Mapped[str | None] = mapped_column(Text)
    previous_code: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
