"""Places and releases policy holds so that each customer's holds match its policy breaches, on
its entity's business date; then re-judges the orders still blocked."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import date

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.domain.credit import Policy, policy_breaches
from ar_credit.exposure.picture import CreditRules, session_pictures
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.holds.service import lift, place_hold
from ar_credit.orders.reevaluation import reevaluate_blocked_orders
from ar_credit.policies.repository import PolicyRepository
from ar_shared.audit.log import SystemActor

POLICY_ACTOR = SystemActor("credit-policy")
POLICY_EVALUATIONS = Counter(
    "ar_credit_policy_evaluations_total",
    "Customers whose credit policy was evaluated (the consumer: once per customer per batch)",
)
DEFAULT_RISK_CLASS = "medium"  # customers without a credit profile

# what a hold placed or released for a customer is traced to (e.g. the event that caused it)
Tracing = Callable[[uuid.UUID], AbstractContextManager[object]]


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
    breaches = await evaluate_many(session, {customer_id: not_before}, rules)
    return breaches.get(customer_id, [])


async def evaluate_many(
    session: AsyncSession,
    not_before: Mapping[uuid.UUID, date | None],
    rules: CreditRules,
    *,
    traced: Tracing | None = None,
    locked: bool = False,
) -> dict[uuid.UUID, list[str]]:
    """`evaluate` for many customers (each at least its own date, or None), with a fixed number of
    statements (locks, pictures with the customers' blocked orders, policies with their
    thresholds), plus the holds placed and released and the blocked orders judged again;
    customers unknown to credit are left out. `locked`: the caller holds every one of these
    customers' locks already (a consumer batch takes them before its handlers), so they are not
    asked for again.

    A consumer batch judges each customer it touched once, whatever the batch's size.
    """
    if not not_before:
        return {}
    # one judgement of a customer at a time: the worker (an event) and the API (a profile or
    # policy change) may judge it at once; the second waits, then sees the holds the first placed.
    # Locked in id order, as every judge of several customers locks them: no deadlock.
    if not locked:
        known = await CreditCustomerRepository(session).lock_many(sorted(not_before))
        if not known:
            return {}
        not_before = {c: not_before[c] for c in known}
    # the active holds come with the pictures: every writer of a customer's holds locks the
    # customer first, so they stand until this transaction ends; the ORM row of a hold is read
    # (locked) only to lift it
    pictures, with_blocked_orders = await session_pictures(session, not_before, rules)
    if locked:
        known = sorted(pictures)  # those credit knows
    POLICY_EVALUATIONS.inc(len(known))
    policies, overdue_limits = await PolicyRepository(session).all_with_overdue_limits()
    breaches_of: dict[uuid.UUID, list[str]] = {}
    for customer_id in known:
        picture = pictures.get(customer_id)
        row = policies.get(picture.risk_class or DEFAULT_RISK_CLASS) if picture else None
        if picture is None or row is None:
            breaches_of[customer_id] = []
            continue
        policy = Policy(
            max_days_past_due=row.max_days_past_due,
            max_overdue_minor=overdue_limits[row.risk_class].get(picture.currency),
            over_limit_tolerance_bp=row.over_limit_tolerance_bp,
        )
        breaches = policy_breaches(
            picture.parts, picture.limit_minor, policy, include_disputed=rules.include_disputed
        )
        breaches_of[customer_id] = breaches
        wanted = breaches if row.auto_hold else []
        today = picture.business_date
        holds = picture.holds
        policy_holds = [h for h in holds if h.source == "policy"]
        held_for = {h.reason_code for h in policy_holds}
        to_place = [reason for reason in wanted if reason not in held_for]
        to_lift = [hold for hold in policy_holds if hold.reason_code not in wanted]
        if not to_place and not to_lift and customer_id not in with_blocked_orders:
            continue  # nothing changes for this customer
        with traced(customer_id) if traced else nullcontext():
            for reason in to_place:
                await place_hold(
                    session, POLICY_ACTOR, customer_id, "policy", reason, note=f"{reason} on {today}"
                )
            for standing in to_lift:
                why = (
                    f"back within policy on {today}"
                    if standing.reason_code not in breaches
                    else f"automatic holds are off for risk class {row.risk_class}"
                )
                hold = await CreditHoldRepository(session).get_for_update(standing.id)
                assert hold is not None  # the customer is locked: its holds stand
                await lift(session, POLICY_ACTOR, hold, why)
            if customer_id in with_blocked_orders:
                manual = [h.reason_code for h in holds if h.source == "manual"]
                await reevaluate_blocked_orders(session, picture, manual + wanted, rules, POLICY_ACTOR)
    return breaches_of
