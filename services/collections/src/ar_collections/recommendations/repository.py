"""SQL for recommendations and the evidence they carry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from ar_collections.models import ITEM_IS_OPEN, Activity, OpenItem, Recommendation
from ar_shared.repository import Repository


class RecommendationRepository(Repository[Recommendation]):
    model = Recommendation

    async def queue(
        self, *, status: str | None, limit: int, after: tuple[date, uuid.UUID] | None
    ) -> Sequence[Recommendation]:
        """The manager's queue: oldest first."""
        query = self.select()
        if status is not None:
            query = query.where(Recommendation.status == status)
        return await self.keyset_page(query, [Recommendation.recommended_on, Recommendation.id], after, limit)

    async def pending_of_account(self, customer_id: uuid.UUID) -> Sequence[Recommendation]:
        query = (
            select(Recommendation)
            .where(Recommendation.customer_id == customer_id, Recommendation.status == "pending")
            .order_by(Recommendation.recommended_on, Recommendation.id)
        )
        return (await self.session.scalars(query)).all()

    async def latest_activities(self, customer_id: uuid.UUID, limit: int) -> Sequence[Activity]:
        query = (
            select(Activity)
            .where(Activity.customer_id == customer_id)
            .order_by(Activity.occurred_at.desc(), Activity.id)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def open_items(self, customer_id: uuid.UUID) -> Sequence[OpenItem]:
        query = (
            select(OpenItem)
            .where(OpenItem.customer_id == customer_id, ITEM_IS_OPEN, OpenItem.voided.is_(False))
            .order_by(OpenItem.due_date, OpenItem.invoice_id)
        )
        return (await self.session.scalars(query)).all()
