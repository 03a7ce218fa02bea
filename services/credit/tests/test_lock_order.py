"""One lock order for a customer's credit state: the customer's row first (consumer batches,
judgements, decisions, order changes, hold releases), then its exposure, orders and holds. A
request and a consumer batch on one customer, each on its own connection, queue instead of
deadlocking (PostgreSQL would abort one of them)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers
from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.exposure import service as exposure
from ar_credit.holds.release import release_and_reevaluate
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.holds.schemas import ManualHoldCreate
from ar_credit.holds.service import place_manual_hold
from ar_credit.models import plumbing
from ar_credit.orders.schemas import CreditDecisionCreate
from ar_credit.orders.service import close, decide, release
from ar_shared.audit.log import SystemActor
from ar_shared.clock import Clock
from ar_shared.consumer import HandlerContext
from ar_shared.db import build_engine, build_sessionmaker
from ar_shared.events import CloudEvent
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.money import MoneyAmount
from ar_shared.outbox import OutboxWriter

pytestmark = pytest.mark.integration

MANAGER = SystemActor("credit-manager")


@pytest.fixture
async def sessions(
    credit_settings: CreditSettings, credit_schema: None, clock: Clock
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on connections of their own (committed), as the worker and the API have."""
    engine = build_engine(credit_settings)
    try:
        yield build_sessionmaker(engine, clock)
    finally:
        await engine.dispose()


async def a_customer(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> uuid.UUID:
    customer_id = uuid.uuid4()
    arrived = CustomerUpserted(
        customer_id=customer_id, external_id=f"L-{customer_id.hex[:8]}", name="Lock Order", currency="EUR",
        payment_terms_days=30, business_entity=f"L{uuid.uuid4().hex[:6]}",
    )  # fmt: skip
    async with sessions() as session:
        context = HandlerContext(session, CloudEvent.wrap(arrived), OutboxWriter(plumbing), clock)
        await handlers.handle(context, arrived)
        await session.commit()
    return customer_id


async def test_cancelling_an_order_while_a_batch_holds_its_customer_waits_instead_of_deadlocking(
    sessions: async_sessionmaker[AsyncSession], credit_settings: CreditSettings, clock: Clock
) -> None:
    rules = credit_settings.rules
    customer_id = await a_customer(sessions, clock)
    reference = f"SO-{uuid.uuid4().hex[:8]}"
    amount = MoneyAmount(amount="300.00", currency="EUR")
    async with sessions() as session:  # refused (no limit), then released by hand: an open order
        decision = CreditDecisionCreate(order_reference=reference, customer_id=customer_id, amount=amount)
        await decide(session, MANAGER, decision, rules)
        await release(session, MANAGER, reference, "known customer", rules)
        await session.commit()

    async def cancel() -> str:
        async with sessions() as session:
            order = await close(session, MANAGER, reference, "cancelled", rules)
            await session.commit()
            return order.status

    async with sessions() as batch, batch.begin():
        # what a consumer batch does: its customers locked first, then their exposure changed
        await CreditCustomerRepository(batch).lock_many([customer_id])
        cancelled = asyncio.create_task(cancel())
        await asyncio.sleep(0.5)  # the cancel is under way: it waits for the customer
        await exposure.adjust(batch, customer_id, "EUR", unapplied_cash=0)
    assert await asyncio.wait_for(cancelled, timeout=30) == "cancelled"


async def test_releasing_a_hold_while_a_batch_holds_its_customer_waits_instead_of_deadlocking(
    sessions: async_sessionmaker[AsyncSession], credit_settings: CreditSettings, clock: Clock
) -> None:
    customer_id = await a_customer(sessions, clock)
    async with sessions() as session:
        data = ManualHoldCreate(customer_id=customer_id, reason_code="fraud_suspected", note=None)
        hold = await place_manual_hold(session, MANAGER, data)
        hold_id = hold.id
        await session.commit()

    async def lift() -> str:
        async with sessions() as session:
            released = await release_and_reevaluate(
                session, MANAGER, hold_id, "cleared", credit_settings.rules
            )
            await session.commit()
            return released.status

    async with sessions() as batch, batch.begin():
        await CreditCustomerRepository(batch).lock_many([customer_id])
        lifted = asyncio.create_task(lift())
        await asyncio.sleep(0.5)  # the release is under way: it waits for the customer
        # what the batch's judgement does next: the customer's active holds, locked
        await CreditHoldRepository(batch).active_for_customers([customer_id])
    assert await asyncio.wait_for(lifted, timeout=30) == "released"
