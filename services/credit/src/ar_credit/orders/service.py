"""Decision rules: one decision per order reference; approved or released orders count as open
orders until invoiced or cancelled; a credit manager may release a refused order."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.check.service import check
from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.exposure import service as exposure
from ar_credit.exposure.picture import CreditRules, session_picture
from ar_credit.models import CreditOrder, plumbing
from ar_credit.orders.events import decision_changed
from ar_credit.orders.repository import OrderRepository
from ar_credit.orders.schemas import CreditDecisionCreate
from ar_credit.orders.views import out
from ar_credit.policies.service import evaluate
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.db import driver_connection
from ar_shared.problems import Conflict, NotFound

audit = AuditLog(plumbing)
COUNTED = {"approved", "released"}  # statuses whose amount is an open order


async def decide(
    session: AsyncSession, actor: Actor, data: CreditDecisionCreate, rules: CreditRules
) -> tuple[CreditOrder, bool]:
    """Records the decision for an order; the same order again returns the first decision."""
    repo = OrderRepository(session)
    # the customer first, as the consumer's batches and every judgement lock it (then its
    # exposure): taken in the other order, the two would deadlock
    await CreditCustomerRepository(session).lock(data.customer_id)
    existing = await repo.get_for_update(data.order_reference)
    amount = data.amount.to_money()
    if existing is not None:
        if existing.customer_id != data.customer_id or existing.amount_minor != amount.minor:
            raise Conflict(
                f"order {data.order_reference} was decided for another customer or amount",
                code="order_reference_reused",
            )
        return existing, False
    # inside this transaction, after the lock above: the decision sees what it records
    connection = await driver_connection(session)
    now = session_clock(session).now()
    result = await check(connection, data.customer_id, amount, now, rules)
    approved = result.decision == "approved"
    order = await repo.add(
        CreditOrder(
            created_at=now,  # the queue's order: the clock's, not the transaction's start
            updated_at=now,
            order_reference=data.order_reference,
            customer_id=data.customer_id,
            currency=amount.currency,
            amount_minor=amount.minor,
            decision=result.decision,
            reason_codes=",".join(result.reason_codes),
            status="approved" if approved else "refused",
            decided_by=actor.subject,
            business_date=result.business_date,
        )
    )
    if approved:
        await exposure.adjust(session, data.customer_id, amount.currency, open_orders=amount.minor)
    await audit.record(
        session, actor=actor, action="order.decided", entity_type="order", entity_id=order.order_reference,
        after=out(order).model_dump(mode="json"),
    )  # fmt: skip
    return order, True


async def _order(session: AsyncSession, order_reference: str) -> CreditOrder:
    """The order, locked after its customer (as the consumer's batches and every judgement lock
    the customer before its exposure and orders: taken in the other order, they would deadlock)."""
    repo = OrderRepository(session)
    customer_id = await repo.customer_of(order_reference)
    if customer_id is not None:
        await CreditCustomerRepository(session).lock(customer_id)
    order = await repo.get_for_update(order_reference)
    if order is None:
        raise NotFound(f"no credit decision for order {order_reference}", code="order_not_found")
    return order


async def release(
    session: AsyncSession, actor: Actor, order_reference: str, reason: str, rules: CreditRules
) -> CreditOrder:
    """A credit manager's override of an over-limit or held order; the order system hears of it
    (CreditDecisionChanged)."""
    order = await _order(session, order_reference)
    if order.status != "refused":
        raise Conflict(f"order {order_reference} is {order.status}, not refused", code="order_not_refused")
    before = out(order).model_dump(mode="json")
    order.status, order.override_by, order.override_reason = "released", actor.subject, reason
    order.updated_at = session_clock(session).now()
    await exposure.adjust(session, order.customer_id, order.currency, open_orders=order.amount_minor)
    await session.flush()
    await audit.record(
        session, actor=actor, action="order.released", entity_type="order", entity_id=order_reference,
        before=before, after=out(order).model_dump(mode="json"),
    )  # fmt: skip
    picture = await session_picture(session, order.customer_id, rules)
    assert picture is not None, "an order's customer is known to credit"
    await decision_changed(session, order, "refused", picture, actor)
    return order


async def close(
    session: AsyncSession, actor: Actor, order_reference: str, status: str, rules: CreditRules
) -> CreditOrder:
    """Cancelled or invoiced: the order no longer counts as an open order, so the customer's
    orders still blocked are judged again (and its policy holds, e.g. over the limit)."""
    order = await _order(session, order_reference)
    if order.status not in COUNTED:
        raise Conflict(f"order {order_reference} is {order.status}", code="order_not_open")
    before = out(order).model_dump(mode="json")
    order.status, order.updated_at = status, session_clock(session).now()
    await exposure.adjust(session, order.customer_id, order.currency, open_orders=-order.amount_minor)
    await session.flush()
    await audit.record(
        session, actor=actor, action=f"order.{status}", entity_type="order", entity_id=order_reference,
        before=before, after=out(order).model_dump(mode="json"),
    )  # fmt: skip
    await evaluate(session, order.customer_id, rules)
    return order


async def order_invoiced(session: AsyncSession, order_reference: str) -> None:
    """InvoiceIssued named the order: its amount moves from open orders to AR."""
    order = await OrderRepository(session).get_for_update(order_reference)
    if order is not None and order.status in COUNTED:
        order.status, order.updated_at = "invoiced", session_clock(session).now()
        await exposure.adjust(session, order.customer_id, order.currency, open_orders=-order.amount_minor)
