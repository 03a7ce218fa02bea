"""SQL for business dates: the entities' rows and the list of every known entity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import literal, select, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.models import Customer, EntityBusinessDate


@dataclass(frozen=True)
class KnownEntity:
    business_entity: str
    row: EntityBusinessDate | None  # None: has customers, was never set nor closed


class BusinessDateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, business_entity: str) -> EntityBusinessDate | None:
        return await self.session.get(EntityBusinessDate, business_entity)

    async def get_or_create_for_update(
        self, business_entity: str, time_zone: str, created_by: str
    ) -> tuple[EntityBusinessDate, bool]:
        """The entity's row locked for this transaction (created, following the calendar in
        `time_zone`, if it had none); True when it was created. The lock serialises setting the
        date and closing days, so each day is closed once and in order."""
        created = await self.session.scalar(
            insert(EntityBusinessDate)
            .values(
                business_entity=business_entity,
                time_zone=time_zone,
                mode="calendar",
                version=0,
                updated_by=created_by,
            )
            .on_conflict_do_nothing()
            .returning(literal(True))
        )
        query = (
            select(EntityBusinessDate)
            .where(EntityBusinessDate.business_entity == business_entity)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(query)).one(), bool(created)

    async def known(self, *, after: str | None = None, limit: int | None = None) -> list[KnownEntity]:
        """Entities with customers or a row, by name."""
        names = union(
            select(EntityBusinessDate.business_entity.label("business_entity")),
            select(Customer.business_entity.label("business_entity")),
        ).subquery()
        query = select(names.c.business_entity).order_by(names.c.business_entity)
        if after is not None:
            query = query.where(names.c.business_entity > after)
        if limit is not None:
            query = query.limit(limit)
        entities: Sequence[str] = (await self.session.scalars(query)).all()
        rows = {
            r.business_entity: r
            for r in await self.session.scalars(
                select(EntityBusinessDate).where(EntityBusinessDate.business_entity.in_(entities))
            )
        }
        return [KnownEntity(e, rows.get(e)) for e in entities]

    async def closed_through(self, row: EntityBusinessDate, day: date) -> None:
        row.last_closed = day
        await self.session.flush()
