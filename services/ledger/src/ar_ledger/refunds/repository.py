"""SQL for refunds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select

from ar_ledger.models import Refund
from ar_shared.repository import Repository


class RefundRepository(Repository[Refund]):
    model = Refund

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
        query = self.select()
        if customer_id is not None:
            query = query.where(Refund.customer_id == customer_id)
        if status is not None:
            query = query.where(Refund.status == status)
        return await self.keyset_page(query, [Refund.id], None if after_id is None else [after_id], limit)
