"""Places and releases policy holds so that each customer's holds match its policy breaches, on
its entity's business date; then re-judges the orders still blocked."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.domain.credit import Policy, policy_breaches
from ar_credit.exposure.picture import CreditRules, session_picture
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.holds.service import lift, place_hold
from ar_credit.orders.reevaluation import reevaluate_blocked_orders
from ar_credit.policies.repository import PolicyRepository
from ar_shared.audit.log import SystemActor

POLICY_ACTOR = SystemActor("credit-policy")
DEFAULT_RISK_CLASS = "medium"  # customers without a credit profile


async def evaluate(
    session: AsyncSession, customer_id: uuid.UUID, rules: CreditRules, *, not_before: date | None = None
) -> list[str]:
    """Brings the customer's policy holds in line with its breaches; returns the breaches.

    Judged on the business date of the customer's entity (at least `not_before`: the date of a
    past-due sweep that may be ahead of what credit heard of the calendar). Manual holds are never
    touched: only a credit manager releases those. A class with automatic holds off places none
    and lifts those the policy placed. Then the customer's blocked orders are judged again: those
    that pass now are released.
    """
    # one judgement of a customer at a time: the worker (an event) and the API (a profile or
    # policy change) may judge it at once; the second waits, then sees the holds the first placed
    if not await CreditCustomerRepository(session).lock(customer_id):
        return []  # unknown to credit
    active = await CreditHoldRepository(session).active_for_customer(customer_id)
    picture = await session_picture(session, customer_id, rules, not_before=not_before)
    if picture is None:
        return []  # unknown to credit
    policies = PolicyRepository(session)
    row = await policies.policy(picture.risk_class or DEFAULT_RISK_CLASS)
    if row is None:
        return []
    policy = Policy(
        max_days_past_due=row.max_days_past_due,
        max_overdue_minor=await policies.overdue_limit(row.risk_class, picture.currency),
        over_limit_tolerance_bp=row.over_limit_tolerance_bp,
    )
    breaches = policy_breaches(
        picture.parts, picture.limit_minor, policy, include_disputed=rules.include_disputed
    )
    wanted = breaches if row.auto_hold else []
    today = picture.business_date
    policy_holds = [h for h in active if h.source == "policy"]
    held_for = {h.reason_code for h in policy_holds}
    for reason in wanted:
        if reason not in held_for:
            await place_hold(
                session, POLICY_ACTOR, customer_id, "policy", reason, note=f"{reason} on {today}"
            )
    for hold in policy_holds:
        if hold.reason_code not in wanted:
            why = (
                f"back within policy on {today}"
                if hold.reason_code not in breaches
                else f"automatic holds are off for risk class {row.risk_class}"
            )
            await lift(session, POLICY_ACTOR, hold, why)
    manual = [h.reason_code for h in active if h.source == "manual"]
    await reevaluate_blocked_orders(session, picture, manual + wanted, rules, POLICY_ACTOR)
    return breaches
