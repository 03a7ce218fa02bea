"""Places and releases policy holds so that each customer's holds match its policy breaches."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.domain.credit import Policy, policy_breaches
from ar_credit.exposure import service as exposure
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.holds.service import lift, place_hold
from ar_credit.policies.repository import PolicyRepository
from ar_shared.audit.log import SystemActor
from ar_shared.money import Money

POLICY_ACTOR = SystemActor("credit-policy")
DEFAULT_RISK_CLASS = "medium"  # customers without a credit profile


async def evaluate(
    session: AsyncSession, customer_id: uuid.UUID, today: date, *, include_disputed: bool
) -> list[str]:
    """Brings the customer's policy holds in line with its breaches; returns the breaches.

    Manual holds are never touched: only a credit manager releases those.
    """
    currency, parts = await exposure.parts(session, customer_id, today)
    policies = PolicyRepository(session)
    profile = await policies.profile(customer_id)
    row = await policies.policy(profile.risk_class if profile else DEFAULT_RISK_CLASS)
    if row is None or currency is None:
        return []
    policy = Policy(
        max_days_past_due=row.max_days_past_due,
        max_overdue_minor=Money.of(row.max_overdue_amount, currency).minor,
        over_limit_tolerance_bp=row.over_limit_tolerance_bp,
    )
    breaches = policy_breaches(
        parts, profile.limit_minor if profile else None, policy, include_disputed=include_disputed
    )
    active = [
        h
        for h in await CreditHoldRepository(session).active_for_customer(customer_id)
        if h.source == "policy"
    ]
    held_for = {h.reason_code for h in active}
    for reason in breaches:
        if reason not in held_for:
            await place_hold(
                session, POLICY_ACTOR, customer_id, "policy", reason, note=f"{reason} on {today}"
            )
    for hold in active:
        if hold.reason_code not in breaches:
            await lift(session, POLICY_ACTOR, hold, f"back within policy on {today}")
    return breaches
