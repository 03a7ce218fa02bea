"""Handlers for the events the credit service consumes."""

from __future__ import annotations

from ar_credit.customers.repository import CreditCustomerRepository
from ar_shared.consumer import EventHandlers, HandlerContext
from ar_shared.events.ledger import CustomerUpserted

handlers = EventHandlers()


@handlers.on(CustomerUpserted)
async def customer_upserted(ctx: HandlerContext, event: CustomerUpserted) -> None:
    await CreditCustomerRepository(ctx.session).upsert(
        {
            "id": event.customer_id,
            "external_id": event.external_id,
            "name": event.name,
            "currency": event.currency,
            "business_entity": event.business_entity,
            "sales_rep": event.sales_rep,
            "time_zone": event.time_zone,
        }
    )
