"""HTTP routes for bounce reports."""

from __future__ import annotations

from fastapi import APIRouter

from ar_notifications.bounces import service
from ar_notifications.bounces.auth import Manager
from ar_notifications.bounces.schemas import BounceRecorded, BounceReport
from ar_notifications.schemas import DeliveryOut, Suppression
from ar_notifications.suppressions.repository import SuppressionRepository
from ar_shared.db import DbSession
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/bounces", tags=["bounces"], route_class=ServiceRoute)


@router.post(
    "",
    summary="Report a bounce or complaint for a sent message",
    description=(
        "For mail providers and bounce processors. Name the delivery by `delivery_id` or by the "
        "`message_id` the e-mail carried. **hard**: the delivery becomes `bounced`, the address is "
        "suppressed (`hard_bounce`) and `NotificationFailed` (outcome `bounced`) is emitted. "
        "**complaint**: the address is suppressed (`complaint`); the delivery stays `sent`. "
        "**soft**: noted in `last_error`; the delivery stays `sent`. Only sent messages bounce (409). "
        "Reporting the same bounce again is harmless: nothing changes and `changed` is false."
    ),
)
async def report_bounce(principal: Manager, body: BounceReport, session: DbSession) -> BounceRecorded:
    delivery, changed = await service.record_bounce(session, principal, body)
    suppression = await SuppressionRepository(session).by_address(delivery.recipient)
    return BounceRecorded(
        delivery=DeliveryOut.model_validate(delivery, from_attributes=True),
        suppression=Suppression.model_validate(suppression) if suppression else None,
        changed=changed,
    )
