"""Handlers for events the ledger consumes: approved write-offs from collections, each written off
once per recommendation (the write-off's unique request id), however often it is delivered."""

from __future__ import annotations

import logging

from ar_ledger.config import get_settings
from ar_ledger.invoices.repository import InvoiceRepository
from ar_ledger.write_offs.repository import WriteOffRepository
from ar_ledger.write_offs.schemas import WriteOffCreate
from ar_ledger.write_offs.service import write_off
from ar_shared.audit.log import SystemActor
from ar_shared.consumer import EventHandlers, HandlerContext
from ar_shared.events.collections import WriteOffApproved
from ar_shared.money import Money, MoneyAmount

handlers = EventHandlers()
log = logging.getLogger(__name__)
COLLECTIONS = SystemActor("collections")


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
