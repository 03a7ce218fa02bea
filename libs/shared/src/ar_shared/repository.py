"""The shapes every repository repeats, once: add a row, flush, look a row up (under a row lock
when the caller will change it) and read a keyset page. Plumbing only: the SQL that says anything
about the domain stays in each service's repositories, which subclass this and set `model`.

    class PaymentRepository(Repository[Payment]):
        model = Payment
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute

ModelT = TypeVar("ModelT", bound=DeclarativeBase)


class Repository(Generic[ModelT]):
    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: ModelT) -> ModelT:
        """Inserts the row now and reads back what the database filled in (defaults, timestamps)."""
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return row

    async def flush(self) -> None:
        await self.session.flush()

    async def get(self, key: Any, *, for_update: bool = False) -> ModelT | None:
        """By primary key; the identity map answers without a query when the row is loaded
        already. `for_update` always asks the database and holds the row lock until commit."""
        if for_update:
            return await self.get_for_update(key)
        return await self.session.get(self.model, key)

    async def get_for_update(self, key: Any) -> ModelT | None:
        """By primary key, locked until the transaction ends, and read again from the database
        even when the session holds the row already (its attributes may predate the lock)."""
        return await self.session.get(self.model, key, with_for_update=True, populate_existing=True)

    def select(self) -> Select[tuple[ModelT]]:
        return select(self.model)

    async def keyset_page(
        self,
        query: Select[tuple[ModelT]],
        keys: Sequence[QueryableAttribute[Any] | ColumnElement[Any]],
        after: Sequence[Any] | None,
        limit: int,
        *,
        newest_first: bool = False,
    ) -> Sequence[ModelT]:
        """One keyset page of `query`: ordered by `keys` (unique together, the last usually the
        id), ascending or (`newest_first`) descending, the rows after the key values `after` (the
        last row of the previous page), `limit` of them. Callers ask for one more than they show to
        know whether a next page exists."""
        query = query.order_by(*(k.desc() for k in keys) if newest_first else keys).limit(limit)
        if after is not None:
            row, last = (keys[0], after[0]) if len(keys) == 1 else (tuple_(*keys), tuple_(*after))
            query = query.where(row < last if newest_first else row > last)
        return cast(Sequence[ModelT], (await self.session.scalars(query)).all())
