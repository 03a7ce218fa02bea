"""SQL for the account projection."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import Account


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: uuid.UUID) -> Account | None:
        return await self.session.get(Account, customer_id)

    async def upsert(self, values: dict[str, object]) -> None:
        statement = insert(Account).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Account.customer_id],
                set_={k: statement.excluded[k] for k in values if k != "customer_id"},
            )
        )
