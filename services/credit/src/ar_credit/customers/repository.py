"""SQL for the credit service's customer projection."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import CreditCustomer


class CreditCustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: uuid.UUID) -> CreditCustomer | None:
        return await self.session.get(CreditCustomer, customer_id)

    async def lock(self, customer_id: uuid.UUID) -> bool:
        """Takes the customer's row lock for this transaction (False: unknown to credit).

        FOR NO KEY UPDATE: judgements of one customer (its policy holds, its manual holds) queue
        behind each other, while rows that merely reference the customer are still written.
        """
        query = (
            select(CreditCustomer.id).where(CreditCustomer.id == customer_id).with_for_update(key_share=True)
        )
        return (await self.session.scalar(query)) is not None

    async def get_by_external_id(self, external_id: str) -> CreditCustomer | None:
        query = select(CreditCustomer).where(CreditCustomer.external_id == external_id).limit(1)
        return (await self.session.scalars(query)).first()

    async def upsert(self, values: dict[str, object]) -> None:
        statement = insert(CreditCustomer).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[CreditCustomer.id],
                set_={k: statement.excluded[k] for k in values if k != "id"},
            )
        )
