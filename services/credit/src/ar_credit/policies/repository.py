"""SQL for credit policies and profiles as the policy engine reads them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import CreditPolicy, CreditProfile


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def policy(self, risk_class: str) -> CreditPolicy | None:
        return await self.session.get(CreditPolicy, risk_class)

    async def all(self) -> Sequence[CreditPolicy]:
        return (await self.session.scalars(select(CreditPolicy).order_by(CreditPolicy.risk_class))).all()

    async def profile(self, customer_id: uuid.UUID) -> CreditProfile | None:
        return await self.session.get(CreditProfile, customer_id)
