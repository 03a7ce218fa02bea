"""What a case does to its items besides pausing them: their reason code reads `disputed` while
the case holds them, and lifting an item's pause puts it back into dunning."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.dunning.repository import PauseRepository
from ar_collections.models import DisputeItem, OpenItem
from ar_collections.reasons.repository import ReasonCodeRepository
from ar_collections.reasons.schemas import ItemReasonsSet
from ar_collections.reasons.service import set_reasons
from ar_shared.audit import Actor
from ar_shared.clock import session_clock

DISPUTED = "disputed"  # the workflow reason code of items in a case


async def mark_disputed(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    invoice_ids: list[uuid.UUID],
    case_id: uuid.UUID | None,
) -> None:
    """The items' reason code becomes the workflow code `disputed` while a case holds them (None:
    cleared again, on the items still open), when the installation keeps that code active."""
    code = await ReasonCodeRepository(session).get(DISPUTED)
    if code is None or not code.active:
        return
    if case_id is None:
        items = [await session.get(OpenItem, i) for i in invoice_ids]
        invoice_ids = [i.invoice_id for i in items if i is not None and i.open_minor > 0]
    if invoice_ids:
        note = f"case {case_id}" if case_id else None
        reasons = ItemReasonsSet(invoice_ids=invoice_ids, code=DISPUTED if case_id else None, note=note)
        await set_reasons(session, actor, customer_id, reasons, source="workflow")


async def lift(session: AsyncSession, item: DisputeItem, by: str) -> None:
    """The item goes back into dunning (its pause lifted)."""
    if item.pause_id is None:
        return
    pause = await PauseRepository(session).get_for_update(item.pause_id)
    if pause is not None and pause.lifted_at is None:
        pause.lifted_at, pause.lifted_by = session_clock(session).now(), by
