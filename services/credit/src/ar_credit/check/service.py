"""Answers the credit check from the exposure picture, the profile and the active holds."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.check.repository import check_row
from ar_credit.check.schemas import CreditCheck, ExposureOut, HoldOut
from ar_credit.domain.credit import ExposureParts, order_decision
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import NotFound, Unprocessable


async def check(
    session: AsyncSession, customer_id: uuid.UUID, amount: Money, today: date, *, include_disputed: bool
) -> CreditCheck:
    """One query (customer, exposure, profile, overdue, holds), then the pure decision."""
    row = await check_row(session, customer_id, today)
    if row is None:
        raise NotFound(f"customer {customer_id} is unknown to credit", code="customer_not_found")
    if amount.currency != row.currency:
        raise Unprocessable(
            f"the customer is billed in {row.currency}, not {amount.currency}", code="currency_mismatch"
        )
    if not amount.is_positive:
        raise Unprocessable("the order amount must be positive", code="amount_not_positive")
    parts = ExposureParts(
        open_ar=row.open_ar,
        unapplied_cash=row.unapplied_cash,
        unapplied_credits=row.unapplied_credits,
        open_orders=row.open_orders,
        disputed=row.disputed,
        overdue=row.overdue,
        oldest_days_past_due=max((today - row.oldest_due).days, 0) if row.oldest_due else 0,
    )
    decision, available, reasons = order_decision(
        parts, row.limit_minor or 0, amount.minor, held=bool(row.holds), include_disputed=include_disputed
    )
    reasons += [h.reason_code for h in row.holds]
    if row.limit_minor is None:
        reasons.append("no_credit_limit")

    def m(minor: int) -> MoneyAmount:
        return MoneyAmount.from_money(Money(minor, row.currency))

    return CreditCheck(
        customer_id=customer_id,
        decision=decision,
        amount=MoneyAmount.from_money(amount),
        credit_limit=None if row.limit_minor is None else m(row.limit_minor),
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
            HoldOut(id=h.id, reason_code=h.reason_code, source=h.source, placed_at=h.placed_at)
            for h in row.holds
        ],
        reason_codes=reasons,
    )
