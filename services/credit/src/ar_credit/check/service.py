"""Answers the credit check from the exposure picture, the profile and the active holds."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.check.schemas import CreditCheck, ExposureOut, HoldOut
from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.domain.credit import order_decision
from ar_credit.exposure import service as exposure
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.policies.repository import PolicyRepository
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import NotFound, Unprocessable


async def check(
    session: AsyncSession, customer_id: uuid.UUID, amount: Money, today: date, *, include_disputed: bool
) -> CreditCheck:
    customer = await CreditCustomerRepository(session).get(customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} is unknown to credit", code="customer_not_found")
    if amount.currency != customer.currency:
        raise Unprocessable(
            f"the customer is billed in {customer.currency}, not {amount.currency}", code="currency_mismatch"
        )
    if not amount.is_positive:
        raise Unprocessable("the order amount must be positive", code="amount_not_positive")
    _, parts = await exposure.parts(session, customer_id, today)
    profile = await PolicyRepository(session).profile(customer_id)
    holds = await CreditHoldRepository(session).active_for_customer(customer_id, lock=False)
    limit = profile.limit_minor if profile else 0
    decision, available, reasons = order_decision(
        parts, limit, amount.minor, held=bool(holds), include_disputed=include_disputed
    )
    reasons += [h.reason_code for h in holds]
    if profile is None:
        reasons.append("no_credit_limit")

    def m(minor: int) -> MoneyAmount:
        return MoneyAmount.from_money(Money(minor, customer.currency))

    return CreditCheck(
        customer_id=customer_id,
        decision=decision,
        amount=MoneyAmount.from_money(amount),
        credit_limit=m(profile.limit_minor) if profile else None,
        available_credit=m(available),
        exposure=ExposureOut(
            open_ar=m(parts.open_ar),
            unapplied_cash=m(parts.unapplied_cash),
            unapplied_credits=m(parts.unapplied_credits),
            open_orders=m(parts.open_orders),
            disputed=m(parts.disputed),
            total=m(parts.total(include_disputed=include_disputed)),
            overdue=m(parts.overdue),
            oldest_days_past_due=parts.oldest_days_past_due,
        ),
        holds=[
            HoldOut(id=h.id, reason_code=h.reason_code, source=h.source, placed_at=h.placed_at) for h in holds
        ],
        reason_codes=reasons,
    )
