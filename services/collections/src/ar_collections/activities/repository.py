"""SQL for activities and outcome codes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from ar_collections.models import Activity, OutcomeCode
from ar_shared.repository import Repository


@dataclass(frozen=True)
class ActivityFilter:
    kind: str | None = None
    direction: str | None = None
    outcome: str | None = None
    logged_by: str | None = None
    on_or_after: date | None = None
    on_or_before: date | None = None


class ActivityRepository(Repository[Activity]):
    model = Activity

    async def for_account(
        self,
        customer_id: uuid.UUID,
        *,
        limit: int | None,
        before: tuple[datetime, uuid.UUID] | None,
        kind: str | None = None,
        where: ActivityFilter | None = None,
    ) -> Sequence[Activity]:
        """Newest first, keyset-paginated on (occurred_at, id); `limit` None: all of them."""
        query = (
            select(Activity)
            .where(Activity.customer_id == customer_id)
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        if before is not None:
            at, last_id = before
            query = query.where(
                or_(Activity.occurred_at < at, (Activity.occurred_at == at) & (Activity.id < last_id))
            )
        f = where or ActivityFilter(kind=kind)
        if f.kind is not None:
            query = query.where(Activity.kind == f.kind)
        if f.direction is not None:
            query = query.where(Activity.direction == f.direction)
        if f.outcome is not None:
            query = query.where(Activity.outcome == f.outcome)
        if f.logged_by is not None:
            query = query.where(Activity.logged_by == f.logged_by)
        if f.on_or_after is not None:
            query = query.where(Activity.occurred_on >= f.on_or_after)
        if f.on_or_before is not None:
            query = query.where(Activity.occurred_on <= f.on_or_before)
        return (await self.session.scalars(query)).all()


class OutcomeCodeRepository(Repository[OutcomeCode]):
    model = OutcomeCode

    async def all(self) -> Sequence[OutcomeCode]:
        return (await self.session.scalars(select(OutcomeCode).order_by(OutcomeCode.code))).all()
