"""Do-not-contact rules: one in force per account, set with a reason (and who), an end date not
in the past; lifting keeps the record."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.calendars.service import BusinessCalendars
from ar_collections.contact_policy.repository import DoNotContactRepository
from ar_collections.contact_policy.schemas import DoNotContact as DoNotContactOut
from ar_collections.contact_policy.schemas import DoNotContactSet
from ar_collections.models import DoNotContact
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.problems import FieldError, NotFound, Unprocessable


def in_force(record: DoNotContact | None, today: date) -> bool:
    return (
        record is not None
        and record.lifted_at is None
        and (record.ends_on is None or record.ends_on >= today)
    )


def shown(record: DoNotContact, today: date) -> DoNotContactOut:
    return DoNotContactOut(
        id=record.id,
        customer_id=record.customer_id,
        reason=record.reason,
        note=record.note,
        ends_on=record.ends_on,
        set_by=record.set_by,
        set_at=record.set_at,
        in_force=in_force(record, today),
    )


async def barred(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID], today_of: dict[uuid.UUID, date]
) -> set[uuid.UUID]:
    """The accounts that may not be contacted on their business date (the strategy run asks)."""
    records = await DoNotContactRepository(session).not_lifted(customer_ids)
    return {c for c, r in records.items() if in_force(r, today_of[c])}


async def set_do_not_contact(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: DoNotContactSet,
    calendars: BusinessCalendars,
) -> DoNotContactOut:
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    if data.ends_on is not None and data.ends_on < today:
        message = f"the end date is before the business date ({today})"
        raise Unprocessable(
            message,
            code="ends_in_the_past",
            errors=[FieldError(field="ends_on", message=message, code="ends_in_the_past")],
        )
    repo = DoNotContactRepository(session)
    now = session_clock(session).now()
    previous = await repo.current(customer_id, lock=True)
    if previous is not None:
        previous.lifted_at, previous.lifted_by, previous.lift_reason = now, actor.subject, "replaced"
        await session.flush()
    record = await repo.add(
        DoNotContact(
            id=uuid.uuid4(),
            customer_id=customer_id,
            reason=data.reason,
            note=data.note,
            ends_on=data.ends_on,
            set_by=actor.subject,
            set_at=now,
        )
    )
    result = shown(record, today)
    await audit.record(
        session,
        actor=actor,
        action="do_not_contact.set",
        entity_type="account",
        entity_id=str(customer_id),
        before=shown(previous, today).model_dump(mode="json") if previous else None,
        after=result.model_dump(mode="json"),
    )
    return result


async def lift(
    session: AsyncSession, actor: Actor, customer_id: uuid.UUID, calendars: BusinessCalendars
) -> DoNotContactOut:
    account = await require_account(session, customer_id)
    record = await DoNotContactRepository(session).current(customer_id, lock=True)
    if record is None:
        raise NotFound("the account is not marked do-not-contact", code="do_not_contact_not_found")
    record.lifted_at, record.lifted_by, record.lift_reason = (
        session_clock(session).now(),
        actor.subject,
        "lifted",
    )
    await session.flush()
    result = shown(record, calendars.today(account.business_entity))
    await audit.record(
        session,
        actor=actor,
        action="do_not_contact.lifted",
        entity_type="account",
        entity_id=str(customer_id),
        after=result.model_dump(mode="json"),
    )
    return result


async def current(
    session: AsyncSession, customer_id: uuid.UUID, calendars: BusinessCalendars
) -> DoNotContactOut | None:
    account = await require_account(session, customer_id)
    record = await DoNotContactRepository(session).current(customer_id)
    return shown(record, calendars.today(account.business_entity)) if record else None
