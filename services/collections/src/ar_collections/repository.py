"""The base every collections repository builds on: add, get, get for update."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import Base

M = TypeVar("M", bound=Base)


class RepositoryBase(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: M) -> M:
        """Adds and flushes (server defaults such as `created_at` are read back)."""
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return row

    async def get(self, key: Any) -> M | None:
        return await self.session.get(self.model, key)

    async def get_for_update(self, key: Any) -> M | None:
        """The row, locked until the transaction ends (and re-read, not taken from the session)."""
        return await self.session.get(self.model, key, with_for_update=True, populate_existing=True)
