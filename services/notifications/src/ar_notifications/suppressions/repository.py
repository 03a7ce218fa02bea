"""SQL for the suppression list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from ar_notifications.models import Suppression
from ar_shared.repository import Repository


class SuppressionRepository(Repository[Suppression]):
    model = Suppression

    async def by_address(self, address: str) -> Suppression | None:
        return (
            await self.session.scalars(select(Suppression).where(Suppression.address == address))
        ).one_or_none()

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
        query = self.select()
        if reason is not None:
            query = query.where(Suppression.reason == reason)
        return await self.keyset_page(
            query, [Suppression.id], None if after_id is None else [after_id], limit
        )
