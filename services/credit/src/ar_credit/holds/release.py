"""A credit manager lifts a hold: the customer's policy and blocked orders are judged again at once."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.exposure.picture import CreditRules
from ar_credit.holds.service import release_hold
from ar_credit.models import CreditHold
from ar_credit.policies.service import evaluate
from ar_shared.audit import Actor


async def release_and_reevaluate(
    session: AsyncSession, actor: Actor, hold_id: uuid.UUID, reason: str, rules: CreditRules
) -> CreditHold:
    """Releases the hold; orders blocked only by it are released in the same transaction. (A
    policy hold lifted by hand while the breach stands comes back: the policy still holds.)"""
    hold = await release_hold(session, actor, hold_id, reason)
    await evaluate(session, hold.customer_id, rules)
    return hold
