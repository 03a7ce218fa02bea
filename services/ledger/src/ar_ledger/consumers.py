"""Handlers for events the ledger consumes from collections: the dunning charges it requests (a
fee document once per request id), and approved write-offs, each written off once per
recommendation (the write-off's unique request id), however often it is delivered."""

from __future__ import annotations

import logging

from ar_ledger.config import get_settings
from ar_ledger.dunning_charges.service import issue_charge_document
from ar_ledger.invoices.repository import InvoiceRepository
from ar_ledger.write_offs.repository import WriteOffRepository
from ar_ledger.write_offs.schemas import WriteOffCreate
from ar_ledger.write_offs.service import write_off
from ar_shared.audit.log import SystemActor
from ar_shared.consumer import EventHandlers, HandlerContext, PoisonMessage
from ar_shared.events.collections import DunningChargeRequested, WriteOffApproved
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import Unprocessable

handlers = EventHandlers()
log = logging.getLogger(__name__)
COLLECTIONS = SystemActor("collections")


@handlers.on(DunningChargeRequested)
async def dunning_charge_requested(ctx: HandlerContext, event: DunningChargeRequested) -> None:
    """A fee document, once per request id (see dunning_charges/service.py)."""
    try:
        await issue_charge_document(ctx.session, event)
    except Unprocessable as exc:
        # a customer the ledger never had, or a charge in another currency than the customer's,
        # never becomes valid: straight to the dead letters with the reason; nothing was written
        raise PoisonMessage(f"{exc.code}: {exc.detail}") from None


@handlers.on(WriteOffApproved)
async def write_off_approved(ctx: HandlerContext, event: WriteOffApproved) -> None:
    if await WriteOffRepository(ctx.session).carrying_out(event.recommendation_id) is not None:
        return  # written off already: a redelivery under another event id
    invoice = await InvoiceRepository(ctx.session).get(event.invoice_id)
    if invoice is None or invoice.status == "void" or invoice.open_minor <= 0:
        # paid or voided since the recommendation: nothing is left to write off
        log.info("write-off %s: invoice %s has nothing open", event.recommendation_id, event.invoice_id)
        return
    amount = min(event.amount.to_money().minor, invoice.open_minor)
    await write_off(
        ctx.session,
        COLLECTIONS,
        WriteOffCreate(
            invoice_id=event.invoice_id,
            amount=MoneyAmount.from_money(Money(amount, invoice.currency)),
            reason_code=event.reason_code,
            effective_date=max(event.effective_date, invoice.issue_date),
            note=f"approved by {event.approved_by}, recommended by {event.recommended_by}",
        ),
        get_settings().write_off_reason_codes,
        request_id=event.recommendation_id,
    )
