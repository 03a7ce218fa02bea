"""SQL for payments and applications."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from ar_ledger.models import Application, Payment
from ar_shared.repository import Repository


class PaymentRepository(Repository[Payment]):
    model = Payment

    async def applications_of(self, source_id: uuid.UUID) -> Sequence[Application]:
        query = select(Application).where(Application.source_id == source_id).order_by(Application.seq)
        return (await self.session.scalars(query)).all()

    async def application_for_update(self, application_id: uuid.UUID) -> Application | None:
        query = select(Application).where(Application.id == application_id).with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def list(
        self, *, limit: int, after_id: uuid.UUID | None, customer_id: uuid.UUID | None
    ) -> Sequence[Payment]:
        query = self.select()
        if customer_id is not None:
            query = query.where(Payment.customer_id == customer_id)
        return await self.keyset_page(query, [Payment.id], None if after_id is None else [after_id], limit)
