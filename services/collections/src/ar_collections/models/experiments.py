"""Champion / challenger experiments: a segment's accounts split between strategy variants (arms),
and when each account entered its arm (the outcome report counts from that day)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ar_collections.models.base import Base


class Experiment(Base):
    __tablename__ = "experiments"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'ended')", name="status_known"),
        # one running experiment per segment: two would fight over the same accounts
        Index(
            "uq_experiments_running_segment",
            "segment_id",
            unique=True,
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(Text)
    hypothesis: Mapped[str | None] = mapped_column(Text)
    # kept when the segment is deleted after the experiment ended (a running one blocks it)
    segment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("strategy_segments.id", ondelete="SET NULL")
    )
    segment_name: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    window_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text, default="running")
    promoted_arm: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_by: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExperimentArm(Base):
    __tablename__ = "experiment_arms"
    __table_args__ = (CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="share_in_range"),)

    experiment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experiments.id"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger)  # the split's order: never changes
    strategy_name: Mapped[str] = mapped_column(Text)
    share_bp: Mapped[int] = mapped_column(Integer)
    champion: Mapped[bool] = mapped_column(default=False)


class ExperimentAccount(Base):
    """An account's arm, from the first strategy run that met it in the experiment's segment."""

    __tablename__ = "experiment_accounts"

    experiment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experiments.id"), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.customer_id"), primary_key=True)
    arm: Mapped[str] = mapped_column(Text)
    entered_on: Mapped[date] = mapped_column(Date)
