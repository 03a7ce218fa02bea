"""The business calendars a request reads ("today" per entity)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ar_collections.access import CallerSession
from ar_collections.calendars.service import BusinessCalendars, load


async def _calendars(request: Request, session: CallerSession) -> BusinessCalendars:
    state = request.app.state
    return await load(session, state.clock, state.settings.business_time_zone)


Calendars = Annotated[BusinessCalendars, Depends(_calendars)]
