"""Keeps each entity's calendar from BusinessDateChanged and resolves its business date in Python
(the SQL twin is `calendars.sql`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.calendars.repository import CalendarRepository
from ar_credit.models import BusinessCalendar
from ar_shared.business_date import DateMode, EntityCalendar, business_date
from ar_shared.clock import Clock
from ar_shared.events.ledger import BusinessDateChanged


def calendar_of(business_entity: str, row: BusinessCalendar | None, default_time_zone: str) -> EntityCalendar:
    if row is None:
        return EntityCalendar(business_entity, default_time_zone)
    mode: DateMode = "manual" if row.mode == "manual" else "calendar"
    return EntityCalendar(
        business_entity, row.time_zone, mode, row.business_date if mode == "manual" else None
    )


async def entity_business_date(
    session: AsyncSession, business_entity: str, clock: Clock, default_time_zone: str
) -> date:
    row = await CalendarRepository(session).get(business_entity)
    return business_date(calendar_of(business_entity, row, default_time_zone), clock)


async def business_date_changed(session: AsyncSession, event: BusinessDateChanged) -> None:
    await CalendarRepository(session).announce(
        event.business_entity, event.time_zone, event.mode, event.business_date
    )
