"""Templates, the customers' contact facts, and every message the platform sends (the delivery log)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, Index, Integer, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ar_notifications.models.base import Base


class Template(Base):
    """One version of a template for a key and locale; the highest version is the one used."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("key", "locale", "version", name="uq_templates_key_locale_version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Contact(Base):
    """What notifications knows of a customer: its time zone (contact hours), e-mail and entity."""

    __tablename__ = "contacts"

    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    time_zone: Mapped[str] = mapped_column(Text, default="UTC")
    business_entity: Mapped[str | None] = mapped_column(Text)


class BusinessCalendar(Base):
    """The latest BusinessDateChanged of an entity: whether its date is set by hand (simulations
    are then written to at once, not at the next contact hours)."""

    __tablename__ = "business_calendars"

    business_entity: Mapped[str] = mapped_column(Text, primary_key=True)
    mode: Mapped[str] = mapped_column(Text)
    business_date: Mapped[date] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(Text)


class Delivery(Base):
    """A message rendered for a recipient, kept with its content: the delivery log, and for
    e-mails to a customer the printable letter."""

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'webhook')", name="channel_known"),
        CheckConstraint(
            "status IN ('queued', 'sent', 'failed', 'bounced', 'suppressed')", name="status_known"
        ),
        # exactly one message per causing event and recipient, however often the event arrives
        UniqueConstraint("causing_event_id", "recipient", name="uq_deliveries_cause_recipient"),
        Index("ix_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'queued'")),
        Index("ix_deliveries_customer", "customer_id", "created_at"),
        # the delivery log, newest first: the whole of it, and an entity's (the common filter)
        Index("ix_deliveries_created", "created_at", "id"),
        Index("ix_deliveries_entity_created", "business_entity", "created_at", "id"),
        Index("ix_deliveries_request_id", "request_id", postgresql_where=text("request_id IS NOT NULL")),
        # a customer's letters, paged by id
        Index(
            "ix_deliveries_customer_letters", "customer_id", "id", postgresql_where=text("channel = 'email'")
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    causing_event_id: Mapped[uuid.UUID | None] = mapped_column()
    customer_id: Mapped[uuid.UUID | None] = mapped_column()
    # the customer's entity when the message was asked for (None: no customer, or none known)
    business_entity: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(Text)
    template_key: Mapped[str] = mapped_column(Text)
    # the version rendered (0: the shipped default), kept so a printed letter names its wording
    template_version: Mapped[int | None] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(Text)
    # the request that asked for the message (collections' NotificationRequested.request_id)
    request_id: Mapped[uuid.UUID | None] = mapped_column()
    recipient: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any]] = mapped_column(JSONB)
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    # the Message-ID header of an e-mail: bounce reports quote it back (webhooks have none)
    message_id: Mapped[str | None] = mapped_column(Text, unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
