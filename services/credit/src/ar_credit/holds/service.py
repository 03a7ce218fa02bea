"""Hold rules: one active hold per customer, source and reason; only active holds are released."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.holds.schemas import CreditHold as CreditHoldOut
from ar_credit.holds.schemas import ManualHoldCreate
from ar_credit.models import CreditHold, plumbing
from ar_shared.audit import Actor, AuditLog
from ar_shared.audit.log import SystemActor
from ar_shared.clock import session_clock
from ar_shared.events.collections import CreditHoldRecommended
from ar_shared.events.credit import CreditHoldPlaced, CreditHoldReleased
from ar_shared.outbox import OutboxWriter
from ar_shared.problems import Conflict, NotFound

audit = AuditLog(plumbing)
outbox = OutboxWriter(plumbing)


def _snapshot(hold: CreditHold) -> dict[str, object]:
    return CreditHoldOut.model_validate(hold).model_dump(mode="json")


async def place_manual_hold(session: AsyncSession, actor: Actor, data: ManualHoldCreate) -> CreditHold:
    if not await CreditCustomerRepository(session).lock(data.customer_id):  # two managers at once
        raise NotFound(f"customer {data.customer_id} is unknown to credit", code="customer_not_found")
    if await CreditHoldRepository(session).active(data.customer_id, "manual", data.reason_code) is not None:
        raise Conflict(
            f"customer already has an active manual hold for {data.reason_code}", code="hold_already_active"
        )
    return await place_hold(session, actor, data.customer_id, "manual", data.reason_code, data.note)


COLLECTIONS = SystemActor("collections")


class CustomerNotYetKnown(LookupError):
    """The recommendation overtook the customer (another topic): the consumer retries it."""


async def place_recommended_hold(session: AsyncSession, event: CreditHoldRecommended) -> CreditHold | None:
    """Collections recommends a hold: one of source `collections` per customer and reason while it
    is active (a repeated recommendation adds none). Releasing it is a credit manager's decision:
    the policy never releases it."""
    if not await CreditCustomerRepository(session).lock(event.customer_id):
        raise CustomerNotYetKnown(f"customer {event.customer_id} is unknown to credit (yet)")
    if await CreditHoldRepository(session).active(event.customer_id, "collections", event.reason_code):
        return None
    note = f"recommended by {event.recommended_by} at {event.days_past_due} days past due"
    return await place_hold(session, COLLECTIONS, event.customer_id, "collections", event.reason_code, note)


async def place_hold(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    source: Literal["policy", "manual", "collections"],
    reason_code: str,
    note: str | None = None,
) -> CreditHold:
    """Places a hold with its audit record and CreditHoldPlaced event (the caller checked it is new)."""
    customer = await CreditCustomerRepository(session).get(customer_id)
    hold = await CreditHoldRepository(session).add(
        CreditHold(
            id=uuid.uuid4(),
            customer_id=customer_id,
            source=source,
            reason_code=reason_code,
            note=note,
            status="active",
            placed_by=actor.subject,
            version=1,
        )
    )
    await audit.record(
        session,
        actor=actor,
        action="credit_hold.placed",
        entity_type="credit_hold",
        entity_id=str(hold.id),
        after=_snapshot(hold),
    )
    await outbox.add(
        session,
        CreditHoldPlaced(
            hold_id=hold.id,
            customer_id=hold.customer_id,
            reason_code=hold.reason_code,
            source=source,
            placed_by=hold.placed_by,
            placed_at=hold.placed_at,
            sales_rep=customer.sales_rep if customer else None,
            note=hold.note,
        ),
    )
    return hold


async def release_hold(session: AsyncSession, actor: Actor, hold_id: uuid.UUID, reason: str) -> CreditHold:
    holds = CreditHoldRepository(session)
    # the customer first, as the consumer's batches and every judgement lock it before its holds:
    # taken in the other order, the release and a judgement of the customer would deadlock
    customer_id = await holds.customer_of(hold_id)
    if customer_id is not None:
        await CreditCustomerRepository(session).lock(customer_id)
    hold = await holds.get_for_update(hold_id)
    if hold is None:
        raise NotFound(f"credit hold {hold_id} does not exist", code="hold_not_found")
    return await lift(session, actor, hold, reason)


async def lift(session: AsyncSession, actor: Actor, hold: CreditHold, reason: str) -> CreditHold:
    """Releases a locked, active hold with its audit record and CreditHoldReleased event."""
    hold_id = hold.id
    if hold.status != "active":
        raise Conflict(f"credit hold {hold_id} is not active (it is {hold.status})", code="hold_not_active")
    before = _snapshot(hold)
    hold.status = "released"
    hold.released_by = actor.subject
    hold.released_at = session_clock(session).now()
    hold.release_reason = reason
    hold.version += 1
    await session.flush()
    customer = await CreditCustomerRepository(session).get(hold.customer_id)
    await audit.record(
        session,
        actor=actor,
        action="credit_hold.released",
        entity_type="credit_hold",
        entity_id=str(hold.id),
        before=before,
        after=_snapshot(hold),
    )
    await outbox.add(
        session,
        CreditHoldReleased(
            hold_id=hold.id,
            customer_id=hold.customer_id,
            reason_code=hold.reason_code,
            source=hold.source,
            released_by=actor.subject,
            released_at=hold.released_at,
            release_reason=reason,
            sales_rep=customer.sales_rep if customer else None,
        ),
    )
    return hold
