"""Handlers for the events notifications consumes: collections' requests, credit holds (the sales
rep is told) and credit decision changes (the order system is told), the ledger's customers (for
names, e-mails, time zones and entities) and business dates (contact hours)."""

from __future__ import annotations

import uuid

from ar_notifications.config import get_settings
from ar_notifications.delivery.repository import DeliveryRepository
from ar_notifications.delivery.service import InvalidRecipient, enqueue
from ar_notifications.templates.rendering import RenderLimitExceeded
from ar_shared.consumer import EventHandlers, HandlerContext, PoisonMessage
from ar_shared.events.collections import NotificationRequested
from ar_shared.events.credit import CreditDecisionChanged, CreditHoldPlaced, CreditHoldReleased
from ar_shared.events.ledger import BusinessDateChanged, CustomerUpserted

handlers = EventHandlers()


@handlers.on(CustomerUpserted)
async def customer_upserted(ctx: HandlerContext, event: CustomerUpserted) -> None:
    await DeliveryRepository(ctx.session).upsert_contact(
        {
            "customer_id": event.customer_id,
            "name": event.name,
            "email": event.contact_email,
            "time_zone": event.time_zone,
            "business_entity": event.business_entity,
        }
    )


@handlers.on(BusinessDateChanged)
async def business_date_changed(ctx: HandlerContext, event: BusinessDateChanged) -> None:
    # only whether the date is set by hand matters here (contact hours): the latest one wins
    await DeliveryRepository(ctx.session).keep_calendar(
        event.business_entity, event.mode, event.business_date, event.time_zone
    )


@handlers.on(NotificationRequested)
async def notification_requested(ctx: HandlerContext, event: NotificationRequested) -> None:
    contact = await DeliveryRepository(ctx.session).contact(event.customer_id)
    context = {"customer_name": contact.name if contact else ""} | event.context
    try:
        await enqueue(
            ctx.session,
            get_settings(),
            causing_event_id=ctx.event.id,
            customer_id=event.customer_id,
            channel=event.channel,
            template_key=event.template_key,
            locale=event.locale,
            recipient=event.recipient,
            context=context,
            now=ctx.clock.now(),
            respect_contact_hours=event.channel == "email",
            request_id=event.request_id,
            business_entity=event.business_entity,
        )
    except (InvalidRecipient, RenderLimitExceeded) as exc:
        # a bad address (or a webhook to a private address) never becomes good, and a template
        # too costly for this data would cost as much again on every retry: straight to the dead
        # letters with the reason; nothing was written
        raise PoisonMessage(exc.detail or exc.code) from None


async def _tell_sales_rep(
    ctx: HandlerContext, template_key: str, sales_rep: str | None, context: dict[str, str]
) -> None:
    if not sales_rep or "@" not in sales_rep:
        return  # nobody to tell: no message
    customer_id = ctx.event.subject
    contact = await DeliveryRepository(ctx.session).contact(uuid.UUID(customer_id))
    await enqueue(
        ctx.session,
        get_settings(),
        causing_event_id=ctx.event.id,
        customer_id=uuid.UUID(customer_id),
        channel="email",
        template_key=template_key,
        locale=get_settings().default_locale,
        recipient=sales_rep,
        context={"customer_name": contact.name if contact else customer_id} | context,
        now=ctx.clock.now(),
        respect_contact_hours=False,  # an internal colleague, not the customer
    )


@handlers.on(CreditHoldPlaced)
async def credit_hold_placed(ctx: HandlerContext, event: CreditHoldPlaced) -> None:
    await _tell_sales_rep(
        ctx,
        "credit_hold",
        event.sales_rep,
        {"reason_code": event.reason_code, "source": event.source, "placed_by": event.placed_by},
    )


@handlers.on(CreditHoldReleased)
async def credit_hold_released(ctx: HandlerContext, event: CreditHoldReleased) -> None:
    await _tell_sales_rep(
        ctx,
        "hold_released",
        event.sales_rep,
        {
            "reason_code": event.reason_code,
            "released_by": event.released_by,
            "release_reason": event.release_reason,
        },
    )


@handlers.on(CreditDecisionChanged)
async def credit_decision_changed(ctx: HandlerContext, event: CreditDecisionChanged) -> None:
    """Tells the order system, by a signed webhook to `NOTIFICATIONS_ORDER_SYSTEM_WEBHOOK_URL`
    (nothing when unset), that an order's credit decision changed: a blocked order released."""
    settings = get_settings()
    if settings.order_system_webhook_url is None:
        return
    contact = await DeliveryRepository(ctx.session).contact(event.customer_id)
    try:
        await enqueue(
            ctx.session,
            settings,
            causing_event_id=ctx.event.id,
            customer_id=event.customer_id,
            channel="webhook",
            template_key="credit_decision_changed",
            locale=settings.default_locale,
            recipient=settings.order_system_webhook_url,
            context={
                "customer_name": contact.name if contact else str(event.customer_id),
                "order_reference": event.order_reference,
                "business_entity": event.business_entity,
                "amount": event.amount.amount,
                "currency": event.amount.currency,
                "previous_status": event.previous_status,
                "status": event.status,
                "decision": event.decision,
                "reason_codes": event.reason_codes,
                "business_date": event.business_date.isoformat(),
                "changed_by": event.changed_by,
            },
            now=ctx.clock.now(),
            respect_contact_hours=False,  # a system, not a person
        )
    except (InvalidRecipient, RenderLimitExceeded) as exc:
        # the configured URL is refused as a webhook target (or the template cannot render this):
        # retrying cannot make it acceptable
        raise PoisonMessage(exc.detail or exc.code) from None
