"""The CreditDecisionChanged event of an order, for the order system and notifications."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.exposure.picture import CreditPicture
from ar_credit.models import CreditOrder, plumbing
from ar_shared.audit import Actor
from ar_shared.events.credit import CreditDecisionChanged
from ar_shared.money import Money, MoneyAmount
from ar_shared.outbox import OutboxWriter

outbox = OutboxWriter(plumbing)


async def decision_changed(
    session: AsyncSession, order: CreditOrder, previous_status: str, picture: CreditPicture, actor: Actor
) -> None:
    await outbox.add(
        session,
        CreditDecisionChanged.model_validate(
            {
                "order_reference": order.order_reference,
                "customer_id": order.customer_id,
                "business_entity": picture.business_entity,
                "amount": MoneyAmount.from_money(Money(order.amount_minor, order.currency)),
                "previous_status": previous_status,
                "status": order.status,
                "decision": order.decision,
                "reason_codes": [r for r in order.reason_codes.split(",") if r],
                "business_date": picture.business_date,
                "changed_by": actor.subject,
            }
        ),
    )
