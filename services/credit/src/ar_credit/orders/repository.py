"""SQL for credit decisions on orders, and the blocked-order queue."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select

from ar_credit.models import CreditCustomer, CreditOrder
from ar_shared.repository import Repository


class OrderRepository(Repository[CreditOrder]):
    model = CreditOrder

    async def customer_of(self, order_reference: str) -> uuid.UUID | None:
        query = select(CreditOrder.customer_id).where(CreditOrder.order_reference == order_reference)
        return await self.session.scalar(query)

    async def refused_for_update(self, customer_id: uuid.UUID) -> Sequence[CreditOrder]:
        """The customer's blocked orders, oldest first, locked."""
        query = (
            select(CreditOrder)
            .where(CreditOrder.customer_id == customer_id, CreditOrder.status == "refused")
            .order_by(CreditOrder.created_at, CreditOrder.order_reference)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def list(
        self,
        *,
        limit: int,
        after: tuple[datetime, str] | None,
        status: str | None,
        customer_id: uuid.UUID | None,
        business_entity: str | None,
        decided_from: date | None,
        decided_to: date | None,
    ) -> Sequence[CreditOrder]:
        """Decisions oldest first (the order they wait in), filtered."""
        query = self.select()
        if status is not None:
            query = query.where(CreditOrder.status == status)
        if customer_id is not None:
            query = query.where(CreditOrder.customer_id == customer_id)
        if business_entity is not None:
            entity_customers = select(CreditCustomer.id).where(
                CreditCustomer.business_entity == business_entity
            )
            query = query.where(CreditOrder.customer_id.in_(entity_customers))
        if decided_from is not None:
            query = query.where(CreditOrder.business_date >= decided_from)
        if decided_to is not None:
            query = query.where(CreditOrder.business_date <= decided_to)
        return await self.keyset_page(
            query, [CreditOrder.created_at, CreditOrder.order_reference], after, limit
        )
