"""Dunning: strategies (named, versioned lists of steps), the segments that pick one per account,
pauses of open items, each account's dunning cycle, the steps fired and the strategy runs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

PAUSE_REASONS = ("promise", "dispute", "payment_plan", "other")


class DunningStrategy(Base):
    """One version of a named strategy. Its steps (JSON, validated by domain/dunning.py) never
    change once a run used the version (`in_use`); a later version applies from the next run."""

    __tablename__ = "dunning_strategies"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    in_use: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StrategySegment(Base):
    """Accounts meeting every criterion set here are dunned by the strategy; segments are tried by
    ascending `priority` (unique), the first match wins."""

    __tablename__ = "strategy_segments"
    __table_args__ = (
        CheckConstraint(
            "balance_min_minor IS NULL OR balance_max_minor IS NULL OR balance_min_minor < balance_max_minor",
            name="balance_band_ordered",
        ),
        CheckConstraint("(attribute_key IS NULL) = (attribute_value IS NULL)", name="attribute_pair"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    priority: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(Text)
    strategy_name: Mapped[str] = mapped_column(Text)
    business_entity: Mapped[str | None] = mapped_column(Text)
    risk_class: Mapped[str | None] = mapped_column(Text)
    balance_currency: Mapped[str | None] = mapped_column(String(3))
    balance_min_minor: Mapped[int | None] = mapped_column(BigInteger)
    balance_max_minor: Mapped[int | None] = mapped_column(BigInteger)
    attribute_key: Mapped[str | None] = mapped_column(Text)
    attribute_value: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DunningPause(Base):
    """No step fires for the open item while the pause is live (not lifted, `ends_on` not passed);
    the item is left out of letters. Promises, disputes and payment plans set them (next issue)."""

    __tablename__ = "dunning_pauses"
    __table_args__ = (
        CheckConstraint(f"reason IN {PAUSE_REASONS}", name="reason_known"),
        Index("ix_dunning_pauses_customer_live", "customer_id", postgresql_where=text("lifted_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("open_items.invoice_id"))
    reason: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str | None] = mapped_column(Text)


class DunningState(Base):
    """Where the account stands: its dunning cycle (a new one starts once it was overdue and is
    cured), the strategy that dunned it last and the level (days of the last step fired)."""

    __tablename__ = "dunning_states"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), primary_key=True)
    cycle: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    overdue_seen: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    strategy_name: Mapped[str | None] = mapped_column(Text)
    strategy_version: Mapped[int | None] = mapped_column(Integer)
    level_days: Mapped[int | None] = mapped_column(Integer, doc="days of the last step fired in the cycle")
    level_action: Mapped[str | None] = mapped_column(Text)
    last_run_on: Mapped[date | None] = mapped_column(Date)


class DunningStepFired(Base):
    """A step fired for an account in a cycle: the unique key makes every run idempotent."""

    __tablename__ = "dunning_steps_fired"
    __table_args__ = (UniqueConstraint("customer_id", "cycle", "step_days", name="uq_dunning_step_once"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    cycle: Mapped[int] = mapped_column(Integer)
    step_days: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(Text)
    strategy_name: Mapped[str] = mapped_column(Text)
    strategy_version: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("strategy_runs.id"), index=True)
    fired_on: Mapped[date] = mapped_column(Date)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class StrategyRun(Base):
    """One strategy run of an entity for a business date, with what it saw, fired and skipped."""

    __tablename__ = "strategy_runs"
    __table_args__ = (Index("ix_strategy_runs_entity_as_of", "business_entity", "as_of"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    business_entity: Mapped[str] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, doc="pending, running, completed")
    trigger: Mapped[str] = mapped_column(Text, doc="api or business_date_changed")
    requested_by: Mapped[str] = mapped_column(Text)
    accounts_seen: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    fired: Mapped[dict[str, int]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    skipped: Mapped[dict[str, int]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
