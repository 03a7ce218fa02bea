"""Contact hours (pure): a message due outside the customer's window waits for the next opening."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def next_contact_time(now: datetime, time_zone: str, start: time, end: time) -> datetime:
    """`now` if it falls in [start, end) on a weekday in the customer's zone, else the next opening."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    for days in range(8):
        day = (local + timedelta(days=days)).date()
        if day.weekday() >= 5:  # Saturday, Sunday
            continue
        opens = datetime.combine(day, start, tzinfo=zone)
        closes = datetime.combine(day, end, tzinfo=zone)
        if local < closes:
            return max(local, opens).astimezone(now.tzinfo)
    raise AssertionError("a weekday always comes within 8 days")
