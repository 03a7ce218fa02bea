"""SQL for limit requests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select

from ar_credit.models import CreditLimitRequest, CreditProfile, PendingCreditProfile
from ar_shared.repository import Repository


class LimitRequestRepository(Repository[CreditLimitRequest]):
    model = CreditLimitRequest

    async def has_profile(self, customer_id: uuid.UUID) -> bool:
        return await self.session.get(CreditProfile, customer_id) is not None

    async def list(self, status: str | None) -> Sequence[CreditLimitRequest]:
        query = select(CreditLimitRequest).order_by(CreditLimitRequest.created_at)
        if status is not None:
            query = query.where(CreditLimitRequest.status == status)
        return (await self.session.scalars(query.limit(500))).all()


class PendingProfileRepository(Repository[PendingCreditProfile]):
    model = PendingCreditProfile

    async def add(self, row: PendingCreditProfile) -> PendingCreditProfile:
        """Nothing to read back (every column is set here): one statement, not two."""
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
        query = self.select()
        if status is not None:
            query = query.where(PendingCreditProfile.status == status)
        after = None if after_id is None else [after_id]
        return await self.keyset_page(query, [PendingCreditProfile.id], after, limit)
