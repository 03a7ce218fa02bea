"""Handlers for events the ledger consumes: the dunning charges collections requests."""

from ar_ledger.dunning_charges.service import issue_charge_document
from ar_shared.consumer import EventHandlers, HandlerContext
from ar_shared.events.collections import DunningChargeRequested

handlers = EventHandlers()


@handlers.on(DunningChargeRequested)
async def dunning_charge_requested(ctx: HandlerContext, event: DunningChargeRequested) -> None:
    """A fee document, once per request id (see dunning_charges/service.py)."""
    await issue_charge_document(ctx.session, event)
