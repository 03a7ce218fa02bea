"""SQL for payments and applications."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.models import Application, Payment


class PaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, payment: Payment) -> Payment:
        self.session.add(payment)
        await self.session.flush()
        await self.session.refresh(payment)
        return payment

    async def get(self, payment_id: uuid.UUID, *, for_update: bool = False) -> Payment | None:
        query = select(Payment).where(Payment.id == payment_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def applications_of(self, source_id: uuid.UUID) -> Sequence[Application]:
        query = select(Application).where(Application.source_id == source_id).order_by(Application.seq)
        return (await self.session.scalars(query)).all()

    async def application_for_update(self, application_id: uuid.UUID) -> Application | None:
        query = select(Application).where(Application.id == application_id).with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def list(
        self, *, limit: int, after_id: uuid.UUID | None, customer_id: uuid.UUID | None
    ) -> Sequence[Payment]:
        query = select(Payment).order_by(Payment.id).limit(limit)
        if after_id is not None:
            query = query.where(Payment.id > after_id)
        if customer_id is not None:
            query = query.where(Payment.customer_id == customer_id)
        return (await self.session.scalars(query)).all()
