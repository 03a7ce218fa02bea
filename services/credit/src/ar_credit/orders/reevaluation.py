"""The blocked-order queue works itself: when a customer's picture changes (a hold lifted, exposure
back under the limit), the orders still refused are judged again, oldest first, and those that
pass are released (CreditDecisionChanged to the order system); the others stay with their reasons."""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.domain.credit import order_verdict
from ar_credit.exposure import service as exposure
from ar_credit.exposure.picture import CreditPicture, CreditRules
from ar_credit.models import CreditOrder, plumbing
from ar_credit.orders.events import decision_changed
from ar_credit.orders.repository import OrderRepository
from ar_credit.orders.views import out
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock

audit = AuditLog(plumbing)


async def reevaluate_blocked_orders(
    session: AsyncSession, picture: CreditPicture, hold_reasons: list[str], rules: CreditRules, actor: Actor
) -> list[CreditOrder]:
    """Judges the customer's refused orders again on `picture` with the holds that stand
    (`hold_reasons`); returns those whose decision changed. Each order released becomes an open
    order, so the next one is judged with it counted."""
    blocked = await OrderRepository(session).refused_for_update(picture.customer_id)
    parts = picture.parts
    changed = []
    for order in blocked:
        decision, _, reasons = order_verdict(
            parts,
            picture.limit_minor,
            order.amount_minor,
            hold_reasons,
            include_disputed=rules.include_disputed,
        )
        codes = ",".join(reasons)
        if decision == order.decision and codes == order.reason_codes:
            continue  # still blocked, for the same reasons
        before = out(order).model_dump(mode="json")
        previous_status = order.status
        order.decision, order.reason_codes = decision, codes
        order.updated_at = session_clock(session).now()
        if decision == "approved":
            order.status = "approved"
            parts = dataclasses.replace(parts, open_orders=parts.open_orders + order.amount_minor)
            await exposure.adjust(session, order.customer_id, order.currency, open_orders=order.amount_minor)
        await session.flush()
        await audit.record(
            session, actor=actor, action="order.reevaluated", entity_type="order",
            entity_id=order.order_reference, before=before, after=out(order).model_dump(mode="json"),
        )  # fmt: skip
        await decision_changed(session, order, previous_status, picture, actor)
        changed.append(order)
    return changed
