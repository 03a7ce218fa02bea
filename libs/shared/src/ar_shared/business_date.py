"""The business date of a business entity: the "today" every business rule reads.

The ledger owns each entity's business date and announces every move with
`BusinessDateChanged`; other services keep the latest one per entity and resolve "today" with
`business_date` below, so all four services agree on the date a rule judges by. An entity follows
its calendar (the wall-clock date in its time zone, read from the injected clock) until an admin
sets its date by hand; from then on the date is what was set, and moves only forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from ar_shared.clock import Clock, local_date

DateMode = Literal["calendar", "manual"]


@dataclass(frozen=True, slots=True)
class EntityCalendar:
    """What a service knows of an entity's business date (from `BusinessDateChanged`)."""

    business_entity: str
    time_zone: str
    mode: DateMode = "calendar"
    manual_date: date | None = None  # the date set by hand (mode "manual")


def business_date(calendar: EntityCalendar, clock: Clock) -> date:
    """The entity's business date now: the date set by hand, else today in its time zone."""
    if calendar.mode == "manual":
        if calendar.manual_date is None:
            raise ValueError(f"{calendar.business_entity} is in manual mode without a date")
        return calendar.manual_date
    return local_date(clock, calendar.time_zone)
