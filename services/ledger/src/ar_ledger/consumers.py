"""Handlers for events the ledger consumes: the dunning charges collections requests."""

from ar_ledger.dunning_charges.service import issue_charge_document
from ar_shared.consumer import EventHandlers, HandlerContext, PoisonMessage
from ar_shared.events.collections import DunningChargeRequested
from ar_shared.problems import Unprocessable

handlers = EventHandlers()


@handlers.on(DunningChargeRequested)
async def dunning_charge_requested(ctx: HandlerContext, event: DunningChargeRequested) -> None:
    """A fee document, once per request id (see dunning_charges/service.py)."""
    try:
        await issue_charge_document(ctx.session, event)
    except Unprocessable as exc:
        # a customer the ledger never had, or a charge in another currency than the customer's,
        # never becomes valid: straight to the dead letters with the reason; nothing was written
        raise PoisonMessage(f"{exc.code}: {exc.detail}") from None
