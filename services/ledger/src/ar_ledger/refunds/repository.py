"""SQL for refunds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.models import Refund


class RefundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, refund: Refund) -> Refund:
        self.session.add(refund)
        await self.session.flush()
        await self.session.refresh(refund)
        return refund

    async def get(self, refund_id: uuid.UUID, *, for_update: bool = False) -> Refund | None:
        query = select(Refund).where(Refund.id == refund_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def issued_from(self, source_id: uuid.UUID) -> Sequence[Refund]:
        query = select(Refund).where(Refund.source_id == source_id, Refund.status == "issued")
        return (await self.session.scalars(query)).all()

    async def refunded_minor(self, source_id: uuid.UUID) -> int:
        query = select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.source_id == source_id, Refund.status == "issued"
        )
        return int(await self.session.scalar(query) or 0)

    async def list(
        self, *, limit: int, after_id: uuid.UUID | None, customer_id: uuid.UUID | None, status: str | None
    ) -> Sequence[Refund]:
        query = select(Refund).order_by(Refund.id).limit(limit)
        if after_id is not None:
            query = query.where(Refund.id > after_id)
        if customer_id is not None:
            query = query.where(Refund.customer_id == customer_id)
        if status is not None:
            query = query.where(Refund.status == status)
        return (await self.session.scalars(query)).all()
