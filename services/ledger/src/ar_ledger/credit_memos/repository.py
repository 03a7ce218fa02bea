"""SQL for credit memos."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select, tuple_

from ar_ledger.models import CreditMemo
from ar_shared.repository import Repository


class CreditMemoRepository(Repository[CreditMemo]):
    model = CreditMemo

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

    async def answering(self, request_id: uuid.UUID) -> CreditMemo | None:
        """The memo issued for a CreditMemoRequested, if any."""
        return await self.session.scalar(select(CreditMemo).where(CreditMemo.request_id == request_id))
