"""SQL for the suppression list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_notifications.models import Suppression


class SuppressionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_address(self, address: str) -> Suppression | None:
        return (
            await self.session.scalars(select(Suppression).where(Suppression.address == address))
        ).one_or_none()

    async def get(self, suppression_id: uuid.UUID) -> Suppression | None:
        return await self.session.get(Suppression, suppression_id)

    async def add(self, suppression: Suppression) -> Suppression:
        self.session.add(suppression)
        await self.session.flush()
        await self.session.refresh(suppression)
        return suppression

    async def add_if_absent(self, suppression: Suppression) -> Suppression | None:
        """Inserts unless the address is already listed (then None), safe against a concurrent add."""
        values = {
            c.key: getattr(suppression, c.key) for c in Suppression.__table__.columns if c.key != "created_at"
        }
        statement = (
            insert(Suppression)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[Suppression.address])
            .returning(Suppression)
        )
        return (await self.session.scalars(statement)).one_or_none()

    async def delete(self, suppression: Suppression) -> None:
        await self.session.delete(suppression)
        await self.session.flush()

    async def list(
        self, *, limit: int, after_id: uuid.UUID | None, reason: str | None
    ) -> Sequence[Suppression]:
        query = select(Suppression).order_by(Suppression.id).limit(limit)
        if after_id is not None:
            query = query.where(Suppression.id > after_id)
        if reason is not None:
            query = query.where(Suppression.reason == reason)
        return (await self.session.scalars(query)).all()
