"""Business date rules: forward only, set by an admin or kept by the calendar; every day the date
crosses is closed (past-due sweep, then BusinessDateChanged), in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.business_dates.closing import calendar_of, close_business_days
from ar_ledger.business_dates.repository import BusinessDateRepository
from ar_ledger.business_dates.schemas import BusinessDate, BusinessDateSet
from ar_ledger.models import EntityBusinessDate, plumbing
from ar_shared.audit import Actor, AuditLog
from ar_shared.business_date import EntityCalendar, business_date
from ar_shared.clock import Clock
from ar_shared.problems import Conflict, PreconditionFailed, Unprocessable

audit = AuditLog(plumbing)


@dataclass(frozen=True)
class ClosingRules:
    """What closing days needs from the settings."""

    default_time_zone: str
    aging_edges: Sequence[int]
    max_days_per_change: int


def view(
    business_entity: str, row: EntityBusinessDate | None, clock: Clock, default_time_zone: str
) -> BusinessDate:
    calendar = calendar_of(business_entity, row, default_time_zone)
    return BusinessDate(
        business_entity=business_entity,
        business_date=business_date(calendar, clock),
        mode=calendar.mode,
        time_zone=calendar.time_zone,
        last_closed=row.last_closed if row else None,
        version=row.version if row else 0,
        updated_by=row.updated_by if row and row.version else None,
        updated_at=row.updated_at if row and row.version else None,
    )


async def get_business_date(
    session: AsyncSession, business_entity: str, clock: Clock, default_time_zone: str
) -> BusinessDate:
    row = await BusinessDateRepository(session).get(business_entity)
    return view(business_entity, row, clock, default_time_zone)


async def list_business_dates(
    session: AsyncSession, clock: Clock, default_time_zone: str, *, after: str | None, limit: int
) -> list[BusinessDate]:
    known = await BusinessDateRepository(session).known(after=after, limit=limit)
    return [view(k.business_entity, k.row, clock, default_time_zone) for k in known]


async def set_business_date(
    session: AsyncSession,
    actor: Actor,
    business_entity: str,
    data: BusinessDateSet,
    clock: Clock,
    rules: ClosingRules,
    if_match_version: int | None = None,
) -> BusinessDate:
    """Sets the entity's date by hand (or back to its calendar, or another time zone) and closes
    every day it crossed, in this transaction: the date and its closes commit together or not at all.

    Refused: a date before the current one (409 `business_date_backward`; also a time zone or a
    return to the calendar that would move it back), more than `max_days_per_change` days ahead in
    one step (422 `business_date_too_far`), a stale `If-Match` (412).
    """
    repo = BusinessDateRepository(session)
    row, _ = await repo.get_or_create_for_update(business_entity, rules.default_time_zone, actor.subject)
    if if_match_version is not None and if_match_version != row.version:
        raise PreconditionFailed(
            f"the business date of {business_entity} is at version {row.version}, not {if_match_version}",
            code="etag_mismatch",
        )
    before = calendar_of(business_entity, row, rules.default_time_zone)
    after = EntityCalendar(
        business_entity,
        data.time_zone or row.time_zone,
        "manual" if data.business_date is not None else "calendar",
        data.business_date,
    )
    current, new = business_date(before, clock), business_date(after, clock)
    if new < current:
        raise Conflict(
            f"the business date of {business_entity} is {current} and only moves forward: "
            f"{new} ({after.mode}, {after.time_zone}) is refused",
            code="business_date_backward",
        )
    if (new - current).days > rules.max_days_per_change:
        raise Unprocessable(
            f"{new} is {(new - current).days} days after {current}; one change moves the date at most "
            f"{rules.max_days_per_change} days (set it in steps)",
            code="business_date_too_far",
        )
    if after == before:
        return view(business_entity, row, clock, rules.default_time_zone)  # nothing changes: no event
    snapshot = view(business_entity, row, clock, rules.default_time_zone).model_dump(mode="json")
    row.mode, row.manual_date, row.time_zone = after.mode, after.manual_date, after.time_zone
    row.version += 1
    row.updated_by = actor.subject
    await close_business_days(
        session,
        row,
        through=new,
        first_if_never_closed=current,
        edges=rules.aging_edges,
        announce_same_day=True,
    )
    await session.refresh(row)
    result = view(business_entity, row, clock, rules.default_time_zone)
    await audit.record(
        session,
        actor=actor,
        action="business_date.set",
        entity_type="business_date",
        entity_id=business_entity,
        before=snapshot,
        after=result.model_dump(mode="json"),
    )
    return result
