"""SQL for activities."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import Activity


class ActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, activity: Activity) -> Activity:
        self.session.add(activity)
        await self.session.flush()
        await self.session.refresh(activity)
        return activity

    async def for_account(
        self,
        customer_id: uuid.UUID,
        *,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None,
        kind: str | None,
    ) -> Sequence[Activity]:
        """Newest first, keyset-paginated on (occurred_at, id)."""
        query = (
            select(Activity)
            .where(Activity.customer_id == customer_id)
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(limit)
        )
        if before is not None:
            at, last_id = before
            query = query.where(
                or_(Activity.occurred_at < at, (Activity.occurred_at == at) & (Activity.id < last_id))
            )
        if kind is not None:
            query = query.where(Activity.kind == kind)
        return (await self.session.scalars(query)).all()
