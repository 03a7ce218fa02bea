"""`ar_shared.business_date` in SQL, for statements that judge "today" per customer in one round trip.

The one place the resolution is written for PostgreSQL; `tests/test_business_calendars.py` checks
it against the Python rule for both modes, many time zones and instants around midnight.
"""

from __future__ import annotations


def business_date_sql(calendar: str, now: str, default_time_zone: str) -> str:
    """The business date of the entity whose `business_calendars` row is aliased `calendar`
    (NULL columns when the ledger never announced it): the date set by hand, else today in its
    time zone (`default_time_zone` when unknown) at the instant `now` (a timestamptz)."""
    return (
        f"CASE WHEN {calendar}.mode = 'manual' THEN {calendar}.business_date "
        f"ELSE ({now} AT TIME ZONE coalesce({calendar}.time_zone, {default_time_zone}))::date END"
    )
