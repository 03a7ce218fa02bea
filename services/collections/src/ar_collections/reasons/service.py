"""Reason code rules: a known, active code, on open items of the account named; every change is
kept in the item's history (and audited)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.code_lists import save_code
from ar_collections.models import ItemReasonHistory, ReasonCode
from ar_collections.portfolios.service import require_account
from ar_collections.reasons.repository import ItemReasonRepository, ReasonCodeRepository
from ar_collections.reasons.schemas import ItemReason, ItemReasonsSet, ReasonCodeUpsert
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.problems import FieldError, Unprocessable


async def set_reasons(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: ItemReasonsSet,
    *,
    source: str = "collector",
) -> list[ItemReason]:
    """Sets (or clears) the reason code of items of one account; all of them or none."""
    await require_account(session, customer_id)
    errors: list[FieldError] = []
    if data.code is not None:
        code = await ReasonCodeRepository(session).get(data.code)
        if code is None or not code.active:
            errors.append(
                FieldError(
                    field="code",
                    message=f"{data.code!r} is not a reason code in use",
                    code="unknown_reason_code",
                )
            )
    repo = ItemReasonRepository(session)
    items = await repo.items(data.invoice_ids)
    for i, invoice_id in enumerate(data.invoice_ids):
        item = items.get(invoice_id)
        if item is None or item.customer_id != customer_id:
            errors.append(
                FieldError(
                    field=f"invoice_ids.{i}",
                    message=f"{invoice_id} is not an item of account {customer_id}",
                    code="not_an_item_of_the_account",
                )
            )
        elif item.open_minor <= 0:
            errors.append(
                FieldError(
                    field=f"invoice_ids.{i}", message=f"{invoice_id} is not open", code="item_not_open"
                )
            )
    if errors:
        raise Unprocessable(
            f"{len(errors)} problem(s) with the reason codes", code=errors[0].code, errors=errors
        )
    now = session_clock(session).now()
    ids = list(dict.fromkeys(data.invoice_ids))
    current = await repo.current(ids)
    result: list[ItemReason] = []
    for invoice_id in ids:
        previous = current.get(invoice_id)
        if data.code is None:
            await repo.clear(invoice_id)
        else:
            await repo.put(
                {
                    "invoice_id": invoice_id,
                    "customer_id": customer_id,
                    "code": data.code,
                    "note": data.note,
                    "source": source,
                    "set_by": actor.subject,
                    "set_at": now,
                }
            )
        await repo.record(
            ItemReasonHistory(
                invoice_id=invoice_id,
                customer_id=customer_id,
                code=data.code,
                previous_code=previous.code if previous else None,
                note=data.note,
                source=source,
                set_by=actor.subject,
                set_at=now,
            )
        )
        result.append(
            ItemReason(
                invoice_id=invoice_id,
                code=data.code,
                note=data.note if data.code else None,
                source=source if data.code else None,
                set_by=actor.subject if data.code else None,
                set_at=now if data.code else None,
            )
        )
    await audit.record(
        session,
        actor=actor,
        action="item_reasons.set",
        entity_type="account",
        entity_id=str(customer_id),
        before={str(k): v.code for k, v in current.items()},
        after={"invoice_ids": [str(i) for i in ids], "code": data.code, "note": data.note},
    )
    return result


async def save_reason_code(
    session: AsyncSession, actor: Actor, code: str, data: ReasonCodeUpsert
) -> tuple[ReasonCode, bool]:
    return await save_code(session, actor, ReasonCodeRepository(session), "reason_code", code, data)
