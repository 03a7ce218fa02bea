"""Pauses of open items (a promise, a dispute, a payment plan …) and the account's dunning:
its strategy, cycle, level, live pauses and the steps fired."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.accounts.repository import AccountRepository
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.dunning.repository import DunningRepository, PauseRepository, SegmentRepository
from ar_collections.dunning.schemas import (
    AccountDunning,
    DunningStanding,
    FiredStep,
    LetterSent,
    Pause,
    PauseIn,
)
from ar_collections.dunning.strategies import segment_for
from ar_collections.models import DunningPause, DunningState, OpenItem
from ar_collections.portfolios.assignment import facts_of
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable


def live(pause: DunningPause, today: date) -> bool:
    return pause.lifted_at is None and pause.ends_on >= today


async def pause_items(
    session: AsyncSession, actor: Actor, customer_id: uuid.UUID, data: PauseIn, calendars: BusinessCalendars
) -> list[Pause]:
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    errors: list[FieldError] = []
    if data.ends_on < today:
        errors.append(
            FieldError(field="ends_on", message=f"the business date is {today}", code="ends_in_the_past")
        )
    for n, invoice_id in enumerate(data.invoice_ids):
        item = await session.get(OpenItem, invoice_id)
        if item is None or item.customer_id != customer_id:
            errors.append(
                FieldError(
                    field=f"invoice_ids[{n}]",
                    message=f"{invoice_id} is no open item of the account",
                    code="unknown_open_item",
                )
            )
    if len(set(data.invoice_ids)) != len(data.invoice_ids):
        errors.append(
            FieldError(field="invoice_ids", message="an item is named twice", code="duplicate_item")
        )
    if errors:
        raise Unprocessable(errors[0].message, code=errors[0].code or "invalid_pause", errors=errors)
    repo = PauseRepository(session)
    pauses = [
        await repo.add(
            DunningPause(
                id=uuid.uuid4(),
                customer_id=customer_id,
                invoice_id=invoice_id,
                reason=data.reason,
                note=data.note,
                ends_on=data.ends_on,
                created_by=actor.subject,
            )
        )
        for invoice_id in data.invoice_ids
    ]
    result = [Pause.model_validate(p) for p in pauses]
    await audit.record(
        session,
        actor=actor,
        action="dunning.paused",
        entity_type="account",
        entity_id=str(customer_id),
        after={"pauses": [p.model_dump(mode="json") for p in result]},
    )
    return result


async def lift_pause(
    session: AsyncSession, actor: Actor, customer_id: uuid.UUID, pause_id: uuid.UUID
) -> Pause:
    await require_account(session, customer_id)
    pause = await PauseRepository(session).get_for_update(pause_id)
    if pause is None or pause.customer_id != customer_id:
        raise NotFound(f"no pause {pause_id} on the account", code="pause_not_found")
    if pause.lifted_at is not None:
        raise Conflict("the pause is lifted already", code="pause_lifted")
    pause.lifted_at, pause.lifted_by = session_clock(session).now(), actor.subject
    await session.flush()
    result = Pause.model_validate(pause)
    await audit.record(
        session,
        actor=actor,
        action="dunning.pause_lifted",
        entity_type="account",
        entity_id=str(customer_id),
        after=result.model_dump(mode="json"),
    )
    return result


async def pauses(session: AsyncSession, customer_id: uuid.UUID) -> list[Pause]:
    await require_account(session, customer_id)
    return [Pause.model_validate(p) for p in await PauseRepository(session).of_account(customer_id)]


async def standing(session: AsyncSession, customer_id: uuid.UUID) -> DunningStanding:
    facts = await AccountRepository(session).rule_facts([customer_id])
    segment = segment_for(await SegmentRepository(session).in_order(), facts_of(facts[0]))
    state = await session.get(DunningState, customer_id) or DunningState(cycle=1)
    return DunningStanding(
        strategy=segment.strategy_name if segment else None,
        segment_id=segment.id if segment else None,
        cycle=state.cycle,
        level_days=state.level_days,
        level_action=state.level_action,
    )


async def letters_sent(session: AsyncSession, customer_id: uuid.UUID, limit: int = 20) -> list[LetterSent]:
    """The letters the account's fired steps asked for, latest first (notifications keeps them
    as rendered, printable, under the same request id)."""
    return [
        LetterSent(
            request_id=uuid.UUID(f.detail["request_id"]),
            template_key=f.detail.get("template_key", ""),
            action=f.action,
            level_days=f.step_days,
            cycle=f.cycle,
            strategy_name=f.strategy_name,
            strategy_version=f.strategy_version,
            fired_on=f.fired_on,
            items=f.detail.get("items", 0),
        )
        for f in await DunningRepository(session).letters(customer_id, limit)
    ]


async def account_dunning(
    session: AsyncSession, customer_id: uuid.UUID, calendars: BusinessCalendars
) -> AccountDunning:
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    return AccountDunning(
        customer_id=customer_id,
        **(await standing(session, customer_id)).model_dump(),
        live_pauses=[
            Pause.model_validate(p)
            for p in await PauseRepository(session).of_account(customer_id)
            if live(p, today)
        ],
        fired=[FiredStep.model_validate(f) for f in await DunningRepository(session).fired(customer_id)],
    )
