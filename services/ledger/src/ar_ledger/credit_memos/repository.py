"""SQL for credit memos."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.models import CreditMemo


class CreditMemoRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def number_taken(self, business_entity: str, memo_number: str) -> bool:
        query = select(CreditMemo.id).where(
            CreditMemo.business_entity == business_entity, CreditMemo.memo_number == memo_number
        )
        return (await self.session.scalar(query)) is not None

    async def add(self, memo: CreditMemo) -> CreditMemo:
        self.session.add(memo)
        await self.session.flush()
        await self.session.refresh(memo)
        return memo

    async def get(self, memo_id: uuid.UUID, *, for_update: bool = False) -> CreditMemo | None:
        query = select(CreditMemo).where(CreditMemo.id == memo_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()
