"""SQL for credit memos."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select, tuple_
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

    async def numbers_taken(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], CreditMemo]:
        """The memos that already have one of these (business entity, memo number) pairs."""
        keys = list(keys)
        if not keys:
            return {}
        query = select(CreditMemo).where(tuple_(CreditMemo.business_entity, CreditMemo.memo_number).in_(keys))
        return {(m.business_entity, m.memo_number): m for m in (await self.session.scalars(query)).all()}

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
