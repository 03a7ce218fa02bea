"""SQL for limit requests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import CreditLimitRequest, CreditProfile


class LimitRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has_profile(self, customer_id: uuid.UUID) -> bool:
        return await self.session.get(CreditProfile, customer_id) is not None

    async def get_for_update(self, request_id: uuid.UUID) -> CreditLimitRequest | None:
        return await self.session.get(CreditLimitRequest, request_id, with_for_update=True)

    async def add(self, request: CreditLimitRequest) -> CreditLimitRequest:
        self.session.add(request)
        await self.session.flush()
        await self.session.refresh(request)
        return request

    async def list(self, status: str | None) -> Sequence[CreditLimitRequest]:
        query = select(CreditLimitRequest).order_by(CreditLimitRequest.created_at)
        if status is not None:
            query = query.where(CreditLimitRequest.status == status)
        return (await self.session.scalars(query.limit(500))).all()
