"""SQL for the business calendars the credit service keeps."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import BusinessCalendar


class CalendarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, business_entity: str) -> BusinessCalendar | None:
        return await self.session.get(BusinessCalendar, business_entity)

    async def announce(self, business_entity: str, time_zone: str, mode: str, business_date: date) -> None:
        """Keeps the entity's latest announcement; an older one (replayed from the log) never
        overwrites a newer date."""
        statement = insert(BusinessCalendar).values(
            business_entity=business_entity, time_zone=time_zone, mode=mode, business_date=business_date
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[BusinessCalendar.business_entity],
                set_={
                    "time_zone": statement.excluded.time_zone,
                    "mode": statement.excluded.mode,
                    "business_date": statement.excluded.business_date,
                    "updated_at": func.now(),
                },
                where=BusinessCalendar.business_date <= statement.excluded.business_date,
            )
        )
