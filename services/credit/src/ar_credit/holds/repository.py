"""SQL for credit holds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from ar_credit.models import CreditHold
from ar_shared.repository import Repository


class CreditHoldRepository(Repository[CreditHold]):
    model = CreditHold

    async def customer_of(self, hold_id: uuid.UUID) -> uuid.UUID | None:
        return await self.session.scalar(select(CreditHold.customer_id).where(CreditHold.id == hold_id))

    async def active(self, customer_id: uuid.UUID, source: str, reason_code: str) -> CreditHold | None:
        query = select(CreditHold).where(
            CreditHold.customer_id == customer_id,
            CreditHold.source == source,
            CreditHold.reason_code == reason_code,
            CreditHold.status == "active",
        )
        return (await self.session.scalars(query)).one_or_none()

    async def active_for_customer(self, customer_id: uuid.UUID, *, lock: bool = True) -> Sequence[CreditHold]:
        query = (
            select(CreditHold)
            .where(CreditHold.customer_id == customer_id, CreditHold.status == "active")
            .order_by(CreditHold.placed_at)
        )
        if lock:
            query = query.with_for_update()
        return (await self.session.scalars(query)).all()

    async def active_for_customers(
        self, customer_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[CreditHold]]:
        """The active holds of many customers, oldest first, locked (in customer order)."""
        ids = bindparam("ids", list(customer_ids), type_=ARRAY(UUID(as_uuid=True)))
        query = (
            select(CreditHold)
            .where(CreditHold.customer_id == any_(ids), CreditHold.status == "active")
            .order_by(CreditHold.customer_id, CreditHold.placed_at)
            .with_for_update()
        )
        holds: dict[uuid.UUID, list[CreditHold]] = {}
        for hold in (await self.session.scalars(query)).all():
            holds.setdefault(hold.customer_id, []).append(hold)
        return holds

    async def list(
        self, *, limit: int, after_id: uuid.UUID | None, customer_id: uuid.UUID | None, status: str | None
    ) -> Sequence[CreditHold]:
        query = self.select()
        if customer_id is not None:
            query = query.where(CreditHold.customer_id == customer_id)
        if status is not None:
            query = query.where(CreditHold.status == status)
        return await self.keyset_page(query, [CreditHold.id], None if after_id is None else [after_id], limit)
