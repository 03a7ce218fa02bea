"""Places and releases policy holds so that each customer's holds match its policy breaches."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import date

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.domain.credit import Policy, policy_breaches
from ar_credit.exposure import service as exposure
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.holds.service import lift, place_hold
from ar_credit.policies.repository import PolicyRepository
from ar_shared.audit.log import SystemActor
from ar_shared.money import Money

POLICY_ACTOR = SystemActor("credit-policy")
POLICY_EVALUATIONS = Counter(
    "ar_credit_policy_evaluations_total",
    "Customers whose credit policy was evaluated (the consumer: once per customer per batch)",
)
DEFAULT_RISK_CLASS = "medium"  # customers without a credit profile

# what a hold placed or released for a customer is traced to (e.g. the event that caused it)
Tracing = Callable[[uuid.UUID], AbstractContextManager[object]]


async def evaluate(
    session: AsyncSession, customer_id: uuid.UUID, today: date, *, include_disputed: bool
) -> list[str]:
    """Brings the customer's policy holds in line with its breaches; returns the breaches.

    Manual holds are never touched: only a credit manager releases those.
    """
    breaches = await evaluate_many(session, {customer_id: today}, include_disputed=include_disputed)
    return breaches[customer_id]


async def evaluate_many(
    session: AsyncSession,
    dates: Mapping[uuid.UUID, date],
    *,
    include_disputed: bool,
    traced: Tracing | None = None,
) -> dict[uuid.UUID, list[str]]:
    """`evaluate` for many customers, each on its own date, with a fixed number of statements
    (pictures, policies, the active holds locked), plus the holds placed and released.

    A consumer batch re-evaluates each customer it touched once, whatever the batch's size.
    """
    if not dates:
        return {}
    POLICY_EVALUATIONS.inc(len(dates))
    pictures = await exposure.pictures(session, dates)
    policies = {p.risk_class: p for p in await PolicyRepository(session).all()}
    active = await CreditHoldRepository(session).active_for_customers(list(dates))
    breaches_of: dict[uuid.UUID, list[str]] = {}
    rules: dict[tuple[str, str], Policy] = {}  # by risk class and currency: built once per call
    for customer_id, today in dates.items():
        picture = pictures[customer_id]
        risk_class = picture.risk_class or DEFAULT_RISK_CLASS
        row = policies.get(risk_class)
        if row is None or picture.currency is None:
            breaches_of[customer_id] = []
            continue
        policy = rules.get((risk_class, picture.currency))
        if policy is None:
            policy = rules[risk_class, picture.currency] = Policy(
                max_days_past_due=row.max_days_past_due,
                max_overdue_minor=Money.of(row.max_overdue_amount, picture.currency).minor,
                over_limit_tolerance_bp=row.over_limit_tolerance_bp,
            )
        breaches = policy_breaches(
            picture.parts, picture.limit_minor, policy, include_disputed=include_disputed
        )
        breaches_of[customer_id] = breaches
        held = [h for h in active.get(customer_id, []) if h.source == "policy"]
        held_for = {h.reason_code for h in held}
        to_place = [reason for reason in breaches if reason not in held_for]
        to_lift = [hold for hold in held if hold.reason_code not in breaches]
        if not to_place and not to_lift:
            continue
        with traced(customer_id) if traced else nullcontext():
            for reason in to_place:
                await place_hold(
                    session, POLICY_ACTOR, customer_id, "policy", reason, note=f"{reason} on {today}"
                )
            for hold in to_lift:
                await lift(session, POLICY_ACTOR, hold, f"back within policy on {today}")
    return breaches_of
