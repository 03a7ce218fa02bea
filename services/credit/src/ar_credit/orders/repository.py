"""SQL for credit decisions on orders."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import CreditOrder


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_update(self, order_reference: str) -> CreditOrder | None:
        query = select(CreditOrder).where(CreditOrder.order_reference == order_reference).with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def add(self, order: CreditOrder) -> CreditOrder:
        self.session.add(order)
        await self.session.flush()
        await self.session.refresh(order)
        return order
