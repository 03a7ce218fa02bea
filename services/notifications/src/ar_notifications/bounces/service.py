"""Bounce reports: find the delivery, apply the rules, suppress the address, tell the platform."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ar_notifications.bounces.rules import bounce_effect
from ar_notifications.bounces.schemas import BounceReport
from ar_notifications.delivery.repository import DeliveryRepository
from ar_notifications.delivery.service import audit, audited, record_hard_bounce
from ar_notifications.models import Delivery
from ar_notifications.suppressions.service import suppress_if_absent
from ar_shared.audit import Actor
from ar_shared.problems import NotFound, Unprocessable


async def record_bounce(session: AsyncSession, actor: Actor, report: BounceReport) -> tuple[Delivery, bool]:
    """Applies a report to its delivery; the delivery, and whether anything changed (False: a repeat)."""
    delivery = await _reported_delivery(DeliveryRepository(session), report)
    effect = bounce_effect(
        delivery.channel, delivery.status, delivery.last_error, report.kind, report.diagnostic
    )
    changed = False
    if effect.bounced:
        await record_hard_bounce(session, delivery, effect.last_error or "", actor)
        changed = True
    elif effect.last_error != delivery.last_error:
        before = audited(delivery)
        delivery.last_error = effect.last_error
        await audit.record(
            session, actor=actor, action="delivery.soft_bounced", entity_type="delivery",
            entity_id=str(delivery.id), before=before, after=audited(delivery),
        )  # fmt: skip
        changed = True
    if effect.complaint:
        note = f"complaint about delivery {delivery.id}" + (
            f": {report.diagnostic}" if report.diagnostic else ""
        )
        added = await suppress_if_absent(session, actor, delivery.recipient, "complaint", note)
        changed = changed or added is not None
    await session.flush()
    return delivery, changed


async def _reported_delivery(repo: DeliveryRepository, report: BounceReport) -> Delivery:
    """The delivery the report names, locked: a repeat sent at the same time waits and finds it done."""
    if report.delivery_id is not None:
        delivery = await repo.get(report.delivery_id, for_update=True)
        named = f"delivery {report.delivery_id}"
    else:
        assert report.message_id is not None  # the schema asks for one of the two
        delivery = await repo.by_message_id(report.message_id, for_update=True)
        named = f"message {report.message_id}"
    if delivery is None:
        raise NotFound(f"{named} does not exist", code="delivery_not_found")
    if report.message_id is not None and delivery.message_id != report.message_id:
        raise Unprocessable(
            f"delivery {delivery.id} was sent as message {delivery.message_id}, not {report.message_id}",
            code="bounce_ids_disagree",
        )
    if report.recipient is not None and str(report.recipient).lower() != delivery.recipient:
        raise Unprocessable(
            f"delivery {delivery.id} went to {delivery.recipient}, not {report.recipient}",
            code="recipient_mismatch",
        )
    return delivery
