"""What a promise or a plan does to the items it covers, and says to the customer: pauses their
dunning, marks their reason code, notes its judgements in the contact history (the notices they
send go through notices.py). Shared by promises (promises/judging.py) and payment plans (plans/)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.dunning.repository import PauseRepository
from ar_collections.models import Activity, DunningPause, ItemReasonHistory
from ar_collections.reasons.repository import ItemReasonRepository
from ar_shared.clock import session_clock


async def pause(
    session: AsyncSession,
    customer_id: uuid.UUID,
    invoice_ids: Sequence[uuid.UUID],
    *,
    reason: str,
    ends_on: date,
    note: str,
    by: str,
) -> dict[uuid.UUID, uuid.UUID]:
    """Pauses the dunning of exactly these items until `ends_on`; returns each item's pause."""
    repo = PauseRepository(session)
    made: dict[uuid.UUID, uuid.UUID] = {}
    for invoice_id in invoice_ids:
        row = await repo.add(
            DunningPause(
                id=uuid.uuid4(),
                customer_id=customer_id,
                invoice_id=invoice_id,
                reason=reason,
                note=note,
                ends_on=ends_on,
                created_by=by,
            )
        )
        made[invoice_id] = row.id
    return made


async def lift(session: AsyncSession, pause_ids: Sequence[uuid.UUID | None]) -> None:
    """Lifts these pauses (those not lifted yet): the items are dunned again from the next run."""
    repo = PauseRepository(session)
    now = session_clock(session).now()
    for pause_id in pause_ids:
        if pause_id is None:
            continue
        row = await repo.get_for_update(pause_id)
        if row is not None and row.lifted_at is None:
            row.lifted_at, row.lifted_by = now, SYSTEM_SUBJECT
    await session.flush()


async def mark(
    session: AsyncSession, customer_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID], code: str, *, by: str
) -> None:
    """Sets the workflow reason code of these items (kept in their history)."""
    await _change(session, customer_id, invoice_ids, code, by=by, only_if=None)


async def unmark(
    session: AsyncSession, customer_id: uuid.UUID, invoice_ids: Sequence[uuid.UUID], code: str
) -> None:
    """Clears `code` from the items that still carry it (a collector's later code stays)."""
    await _change(session, customer_id, invoice_ids, None, by=SYSTEM_SUBJECT, only_if=code)


async def _change(
    session: AsyncSession,
    customer_id: uuid.UUID,
    invoice_ids: Sequence[uuid.UUID],
    code: str | None,
    *,
    by: str,
    only_if: str | None,
) -> None:
    repo = ItemReasonRepository(session)
    current = await repo.current(invoice_ids)
    now = session_clock(session).now()
    for invoice_id in invoice_ids:
        previous = current.get(invoice_id)
        if only_if is not None and (previous is None or previous.code != only_if):
            continue
        if code is None:
            await repo.clear(invoice_id)
        else:
            await repo.put(
                {
                    "invoice_id": invoice_id,
                    "customer_id": customer_id,
                    "code": code,
                    "note": None,
                    "source": "workflow",
                    "set_by": by,
                    "set_at": now,
                }
            )
        await repo.record(
            ItemReasonHistory(
                invoice_id=invoice_id,
                customer_id=customer_id,
                code=code,
                previous_code=previous.code if previous else None,
                note=None,
                source="workflow",
                set_by=by,
                set_at=now,
            )
        )
    await session.flush()


async def note(session: AsyncSession, customer_id: uuid.UUID, today: date, summary: str) -> None:
    """A note in the account's contact history, by the workflow (a note contacts nobody)."""
    session.add(
        Activity(
            id=uuid.uuid4(),
            customer_id=customer_id,
            kind="note",
            summary=summary,
            occurred_at=session_clock(session).now(),
            occurred_on=today,
            logged_by=SYSTEM_SUBJECT,
        )
    )
    await session.flush()
