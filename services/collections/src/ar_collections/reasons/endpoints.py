"""HTTP routes for reason codes and the reasons on an account's items."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.portfolios.service import require_account
from ar_collections.reasons import service
from ar_collections.reasons.repository import ItemReasonRepository, ReasonCodeRepository
from ar_collections.reasons.schemas import (
    ItemReason,
    ItemReasonChange,
    ItemReasonsSet,
    ReasonCode,
    ReasonCodeUpsert,
    ReasonCodeValue,
)
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["reason codes"], route_class=ServiceRoute)


@router.get("/v1/reason-codes", summary="The collection reason codes of this installation")
async def list_reason_codes(_: Worker, session: CallerSession) -> list[ReasonCode]:
    return [ReasonCode.model_validate(c) for c in await ReasonCodeRepository(session).all()]


@router.put(
    "/v1/reason-codes/{code}",
    summary="Add or change a reason code (deactivate rather than delete: history keeps it)",
    responses={201: {"model": ReasonCode, "description": "Created"}},
)
async def save_reason_code(
    principal: Manager,
    code: Annotated[ReasonCodeValue, Path()],
    body: ReasonCodeUpsert,
    session: CallerSession,
    response: Response,
) -> ReasonCode:
    row, created = await service.save_reason_code(session, principal, code, body)
    response.status_code = 201 if created else 200
    return ReasonCode.model_validate(row)


@router.post(
    "/v1/accounts/{customer_id}/reason-codes",
    summary="Set (or clear) the reason code of open items of the account",
    description="Every item must be an open item of this account, and the code one in use: otherwise "
    "422 naming each offending item, and nothing changes.",
)
async def set_reason_codes(
    principal: Worker, customer_id: uuid.UUID, body: ItemReasonsSet, session: CallerSession
) -> list[ItemReason]:
    return await service.set_reasons(session, principal, customer_id, body)


@router.get(
    "/v1/accounts/{customer_id}/reason-codes/history", summary="Every reason code change, newest first"
)
async def reason_code_history(
    _: Worker, customer_id: uuid.UUID, session: CallerSession, page: Paging
) -> Page[ItemReasonChange]:
    await require_account(session, customer_id)
    before = decode_cursor(page.cursor, int)[0] if page.cursor else None
    rows = await ItemReasonRepository(session).history(customer_id, limit=page.limit + 1, before=before)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[ItemReasonChange](
        items=[ItemReasonChange.model_validate(r) for r in items], next_cursor=next_cursor
    )
