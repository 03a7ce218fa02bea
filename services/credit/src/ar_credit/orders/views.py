"""The API shape of a credit decision, from its row."""

from __future__ import annotations

from ar_credit.models import CreditOrder
from ar_credit.orders.schemas import CreditDecision
from ar_shared.money import Money, MoneyAmount


def out(order: CreditOrder) -> CreditDecision:
    return CreditDecision(
        order_reference=order.order_reference,
        customer_id=order.customer_id,
        amount=MoneyAmount.from_money(Money(order.amount_minor, order.currency)),
        decision=order.decision,
        reason_codes=[r for r in order.reason_codes.split(",") if r],
        status=order.status,
        decided_by=order.decided_by,
        override_by=order.override_by,
        override_reason=order.override_reason,
        business_date=order.business_date,
        created_at=order.created_at,
        updated_at=order.updated_at,
    )
