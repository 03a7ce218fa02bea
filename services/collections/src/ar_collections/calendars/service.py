"""The business date of each entity: what "today" means for its accounts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import EntityCalendar as CalendarRow
from ar_shared.business_date import DateMode, EntityCalendar, business_date
from ar_shared.clock import Clock
from ar_shared.events.ledger import BusinessDateChanged


@dataclass(frozen=True)
class BusinessCalendars:
    """Every entity's calendar; an entity the ledger never announced follows the wall-clock date
    in the default business time zone."""

    calendars: Mapping[str, EntityCalendar]
    default_zone: str
    clock: Clock

    def calendar(self, business_entity: str) -> EntityCalendar:
        return self.calendars.get(business_entity) or EntityCalendar(business_entity, self.default_zone)

    def today(self, business_entity: str) -> date:
        return business_date(self.calendar(business_entity), self.clock)

    def default_today(self) -> date:
        return business_date(EntityCalendar("", self.default_zone), self.clock)


async def load(session: AsyncSession, clock: Clock, default_zone: str) -> BusinessCalendars:
    rows = (await session.scalars(select(CalendarRow))).all()
    return BusinessCalendars(
        {
            r.business_entity: EntityCalendar(
                r.business_entity,
                r.time_zone,
                cast(DateMode, r.mode),
                r.business_date if r.mode == "manual" else None,
            )
            for r in rows
        },
        default_zone,
        clock,
    )


async def record(session: AsyncSession, event: BusinessDateChanged) -> None:
    """Keeps the entity's latest calendar. An older announcement (a replay, a consumer group moved
    back) never moves the date back; one of the same day (a change of mode or time zone that
    crosses no day) is kept, as `ar_credit` does."""
    values = {
        "business_entity": event.business_entity,
        "time_zone": event.time_zone,
        "mode": event.mode,
        "business_date": event.business_date,
        "previous_date": event.previous_date,
    }
    statement = insert(CalendarRow).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CalendarRow.business_entity],
            set_={k: statement.excluded[k] for k in values if k != "business_entity"},
            where=CalendarRow.business_date <= statement.excluded.business_date,
        )
    )
