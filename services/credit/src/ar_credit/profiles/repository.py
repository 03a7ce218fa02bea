"""SQL for limit requests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import CreditLimitRequest, CreditProfile, PendingCreditProfile


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


class PendingProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: PendingCreditProfile) -> PendingCreditProfile:
        self.session.add(row)
        await self.session.flush()
        return row

    async def waiting(
        self, *, customer_id: uuid.UUID | None, external_id: str | None
    ) -> Sequence[PendingCreditProfile]:
        """Pending profiles filed for the customer's ledger id or ERP id, oldest first, locked."""
        keys = []
        if customer_id is not None:
            keys.append(PendingCreditProfile.customer_id == customer_id)
        if external_id is not None:
            keys.append(PendingCreditProfile.external_id == external_id)
        query = (
            select(PendingCreditProfile)
            .where(PendingCreditProfile.status == "pending", or_(*keys))
            .order_by(PendingCreditProfile.created_at, PendingCreditProfile.id)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def list(
        self, *, limit: int, after_id: uuid.UUID | None, status: str | None
    ) -> Sequence[PendingCreditProfile]:
        query = select(PendingCreditProfile).order_by(PendingCreditProfile.id).limit(limit)
        if after_id is not None:
            query = query.where(PendingCreditProfile.id > after_id)
        if status is not None:
            query = query.where(PendingCreditProfile.status == status)
        return (await self.session.scalars(query)).all()
