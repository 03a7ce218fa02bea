"""Handlers for the events the collections service consumes."""

from __future__ import annotations

from ar_collections.accounts.repository import AccountRepository
from ar_shared.consumer import EventHandlers, HandlerContext
from ar_shared.events.ledger import CustomerUpserted

handlers = EventHandlers()


@handlers.on(CustomerUpserted)
async def customer_upserted(ctx: HandlerContext, event: CustomerUpserted) -> None:
    await AccountRepository(ctx.session).upsert(
        {
            "customer_id": event.customer_id,
            "external_id": event.external_id,
            "name": event.name,
            "currency": event.currency,
            "business_entity": event.business_entity,
            "sales_rep": event.sales_rep,
            "contact_email": event.contact_email,
            "time_zone": event.time_zone,
        }
    )
