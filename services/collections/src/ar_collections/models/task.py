"""Work to do on an account by a date: follow-ups, calls, letters, reviews (from a collector, an
activity's next follow-up date, or the workflow), optionally with an SLA due date."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base

TASK_KINDS = ("call", "email", "letter", "visit", "follow_up", "review")
# the kinds that contact the customer: none of them is offered while contact is barred
CONTACT_TASK_KINDS = ("call", "email", "letter", "visit", "follow_up")
TASK_STATUSES = ("open", "completed", "cancelled")
TASK_SOURCES = ("collector", "activity", "workflow")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(f"kind IN {TASK_KINDS}", name="kind_known"),
        CheckConstraint(f"status IN {TASK_STATUSES}", name="status_known"),
        CheckConstraint(f"source IN {TASK_SOURCES}", name="source_known"),
        Index("ix_tasks_customer_open", "customer_id", "due_on", postgresql_where=text("status = 'open'")),
        Index(
            "ix_tasks_assignee_open", "assignee_subject", "due_on", postgresql_where=text("status = 'open'")
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"))
    kind: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    sla_due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, server_default=text("'open'"))
    # None: whoever works the account (the portfolio's collector, or its backup)
    assignee_subject: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    source_id: Mapped[uuid.UUID | None] = mapped_column(doc="the activity or workflow step that created it")
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_by: Mapped[str | None] = mapped_column(Text)
    completion_activity_id: Mapped[uuid.UUID | None] = mapped_column()
