"""HTTP routes for credit holds."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ar_credit.holds import service
from ar_credit.holds.auth import Checker, Manager
from ar_credit.holds.release import release_and_reevaluate
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.holds.schemas import CreditHold, HoldRelease, ManualHoldCreate
from ar_shared.db import DbSession
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/holds", tags=["holds"], route_class=ServiceRoute)


@router.post(
    "",
    status_code=201,
    summary="Place a manual credit hold",
    description=(
        "Blocks new orders for the customer until a credit manager releases the hold. "
        "Send an `Idempotency-Key` so a retried request never places a second hold."
    ),
)
async def place_hold(principal: Manager, body: ManualHoldCreate, session: DbSession) -> CreditHold:
    hold = await service.place_manual_hold(session, principal, body)
    return CreditHold.model_validate(hold)


@router.post(
    "/{hold_id}/release",
    summary="Release an active hold, with a reason",
    description=(
        "The customer's blocked orders are judged again in the same transaction: those the hold "
        "alone blocked are released (`CreditDecisionChanged`). A policy hold released while its "
        "breach stands is placed again by the policy."
    ),
)
async def release_hold(
    principal: Manager, hold_id: uuid.UUID, body: HoldRelease, session: DbSession, request: Request
) -> CreditHold:
    rules = request.app.state.settings.rules
    return CreditHold.model_validate(
        await release_and_reevaluate(session, principal, hold_id, body.reason, rules)
    )


@router.get("", summary="List credit holds")
async def list_holds(
    _: Checker,
    session: DbSession,
    page: Paging,
    customer_id: uuid.UUID | None = None,
    status: Annotated[Literal["active", "released"] | None, Query()] = None,
) -> Page[CreditHold]:
    after = decode_cursor(page.cursor, uuid.UUID)[0] if page.cursor else None
    rows = await CreditHoldRepository(session).list(
        limit=page.limit + 1, after_id=after, customer_id=customer_id, status=status
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[CreditHold](items=[CreditHold.model_validate(r) for r in items], next_cursor=next_cursor)
