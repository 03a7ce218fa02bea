"""The close of business: for each business day an entity's date crossed, in order, the past-due
sweep of its customers for that day, then `BusinessDateChanged` — the same for a date set by hand
and for the calendar's daily turn (the worker's job), so consumers hear of every business day."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_ledger.business_dates.repository import BusinessDateRepository
from ar_ledger.models import EntityBusinessDate, plumbing
from ar_ledger.past_due.service import plan_sweep
from ar_shared.business_date import DateMode, EntityCalendar, business_date
from ar_shared.clock import Clock
from ar_shared.events.envelope import EventPayload
from ar_shared.events.ledger import BusinessDateChanged
from ar_shared.outbox import OutboxWriter

log = logging.getLogger(__name__)
outbox = OutboxWriter(plumbing)
CALENDAR_ACTOR = "ledger-calendar"


def calendar_of(
    business_entity: str, row: EntityBusinessDate | None, default_time_zone: str
) -> EntityCalendar:
    """The entity's calendar: its row's, or the default time zone's for an entity without one."""
    if row is None:
        return EntityCalendar(business_entity, default_time_zone)
    mode: DateMode = "manual" if row.mode == "manual" else "calendar"
    return EntityCalendar(business_entity, row.time_zone, mode, row.manual_date)


def closing_days(
    last_closed: date | None, through: date, first_if_never_closed: date
) -> tuple[date, date] | None:
    """The days a close of business through `through` runs: those after the last closed day (or
    from `first_if_never_closed` for an entity never closed); None when there are none."""
    first = first_if_never_closed if last_closed is None else last_closed + timedelta(days=1)
    return (first, through) if first <= through else None


def _changed(row: EntityBusinessDate, previous: date | None, day: date) -> BusinessDateChanged:
    return BusinessDateChanged(
        business_entity=row.business_entity,
        previous_date=previous,
        business_date=day,
        mode="manual" if row.mode == "manual" else "calendar",
        time_zone=row.time_zone,
    )


async def close_business_days(
    session: AsyncSession,
    row: EntityBusinessDate,
    *,
    through: date,
    first_if_never_closed: date,
    edges: Sequence[int],
    announce_same_day: bool = False,
) -> list[date]:
    """Closes every day after the entity's last closed day up to `through` (the row is locked by
    the caller and already holds the entity's calendar), and returns them.

    All days are swept by one set-wise pass (`plan_sweep`) and their events written by one COPY,
    day by day in order: each day's AccountPastDue, then its BusinessDateChanged.
    With `announce_same_day`, a change of mode or time zone that crosses no day is still announced
    (BusinessDateChanged from the date to itself), so consumers keep the entity's calendar.
    """
    days = closing_days(row.last_closed, through, first_if_never_closed)
    events: list[EventPayload] = []
    closed: list[date] = []
    if days is not None:
        plan = await plan_sweep(session, days[0], days[1], edges, row.business_entity)
        previous = row.last_closed
        for day in plan.days:
            events += [*day.events, _changed(row, previous, day.as_of)]
            previous = day.as_of
            closed.append(day.as_of)
        await BusinessDateRepository(session).closed_through(row, days[1])
    elif announce_same_day:
        events.append(_changed(row, row.last_closed, through))
    if events:
        # COPY: a long close writes thousands of events (one statement either way)
        await outbox.copy_many(session, events)
    return closed


async def close_due_entities(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    default_time_zone: str,
    edges: Sequence[int],
    max_days_per_transaction: int,
) -> dict[str, list[date]]:
    """Closes every known entity whose business date moved past its last close (the calendar
    turned in its time zone, or it was never closed): one transaction per entity, and per
    `max_days_per_transaction` days when a stopped worker has many days to catch up."""
    async with sessionmaker() as session:
        entities = [k.business_entity for k in await BusinessDateRepository(session).known()]
    closed: dict[str, list[date]] = {}
    for entity in entities:
        try:
            while True:
                async with sessionmaker() as session, session.begin():
                    repo = BusinessDateRepository(session)
                    row, _ = await repo.get_or_create_for_update(entity, default_time_zone, CALENDAR_ACTOR)
                    today = business_date(calendar_of(entity, row, default_time_zone), clock)
                    days = closing_days(row.last_closed, today, today)
                    if days is None:
                        break
                    through = min(days[1], days[0] + timedelta(days=max_days_per_transaction - 1))
                    done = await close_business_days(
                        session, row, through=through, first_if_never_closed=today, edges=edges
                    )
                closed.setdefault(entity, []).extend(done)
                if through == today:
                    break
        except Exception:
            # one entity that cannot close (its next run retries) holds no other back
            log.exception("close of business failed", extra={"business_entity": entity})
    if closed:
        log.info(
            "close of business", extra={"entities": {e: [str(d) for d in ds] for e, ds in closed.items()}}
        )
    return closed
