"""Collectors, managers and teams (keyed by the token subject), portfolios and how accounts are
assigned to them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

ROLES = ("collector", "manager")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(Text, unique=True)
    # a team and its manager reference each other: the constraint is added after both tables
    manager_subject: Mapped[str | None] = mapped_column(
        ForeignKey("collectors.subject", use_alter=True, name="fk_teams_manager_subject_collectors")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Collector(Base):
    """A person who works accounts (or manages those who do), known by the token subject."""

    __tablename__ = "collectors"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role_known"),)

    subject: Mapped[str] = mapped_column(Text, primary_key=True)
    display_name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id"))
    role: Mapped[str] = mapped_column(Text, server_default=text("'collector'"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # while absent, each portfolio's backup collector sees and works its accounts
    absent: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    absent_until: Mapped[date | None] = mapped_column(Date)
    absence_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Portfolio(Base):
    """A set of accounts worked by one collector, covered by a backup while the owner is absent."""

    __tablename__ = "portfolios"
    __table_args__ = (
        CheckConstraint(
            "backup_subject IS NULL OR backup_subject <> collector_subject", name="backup_not_owner"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(Text, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    collector_subject: Mapped[str] = mapped_column(ForeignKey("collectors.subject"), index=True)
    backup_subject: Mapped[str | None] = mapped_column(ForeignKey("collectors.subject"), index=True)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class PortfolioHistory(Base):
    """Who owned and covered a portfolio from when: per-collector KPIs look back through it."""

    __tablename__ = "portfolio_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id"), index=True)
    collector_subject: Mapped[str] = mapped_column(Text)
    backup_subject: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)


class AssignmentRule(Base):
    """Accounts matching every criterion set here go to the portfolio. Rules are tried by
    ascending `priority`; rules of the same priority may never match the same account."""

    __tablename__ = "assignment_rules"
    __table_args__ = (
        CheckConstraint(
            "balance_min_minor IS NULL OR balance_max_minor IS NULL OR balance_min_minor < balance_max_minor",
            name="balance_band_ordered",
        ),
        CheckConstraint(
            "(balance_min_minor IS NULL AND balance_max_minor IS NULL) = (balance_currency IS NULL)",
            name="balance_band_has_currency",
        ),
        CheckConstraint("(attribute_key IS NULL) = (attribute_value IS NULL)", name="attribute_pair"),
        Index("ix_assignment_rules_priority", "priority"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id"), index=True)
    priority: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    business_entity: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    risk_class: Mapped[str | None] = mapped_column(Text)
    balance_currency: Mapped[str | None] = mapped_column(String(3))
    balance_min_minor: Mapped[int | None] = mapped_column(BigInteger)
    balance_max_minor: Mapped[int | None] = mapped_column(BigInteger)
    attribute_key: Mapped[str | None] = mapped_column(Text)
    attribute_value: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AssignmentHistory(Base):
    """Every move of an account between portfolios, by rule or by hand (with the reason)."""

    __tablename__ = "assignment_history"
    __table_args__ = (Index("ix_assignment_history_customer", "customer_id", "changed_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    from_portfolio_id: Mapped[uuid.UUID | None] = mapped_column()
    to_portfolio_id: Mapped[uuid.UUID | None] = mapped_column()
    source: Mapped[str] = mapped_column(Text)
    rule_id: Mapped[uuid.UUID | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_on: Mapped[date] = mapped_column(Date, doc="the entity's business date of the move")
