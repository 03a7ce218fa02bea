"""On which business date something happened, when it happened at a moment in the past."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def business_date_of(moment: datetime, now: datetime, today: date, time_zone: str) -> date:
    """The business date of `moment`, given that `now` falls on the business date `today`.

    An entity's business date may be set by hand (a simulation, catching up): an activity logged
    now happened "today" in business terms, and one logged two calendar days ago two business
    days before. In calendar mode this is simply the date of `moment` in the entity's time zone.
    """
    zone = ZoneInfo(time_zone)
    days_ago = (now.astimezone(zone).date() - moment.astimezone(zone).date()).days
    return today - timedelta(days=days_ago)
