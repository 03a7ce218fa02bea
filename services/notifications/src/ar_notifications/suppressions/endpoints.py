"""HTTP routes for the suppression list."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ar_notifications.schemas import Suppression, SuppressionReason
from ar_notifications.suppressions import service
from ar_notifications.suppressions.auth import Manager
from ar_notifications.suppressions.repository import SuppressionRepository
from ar_notifications.suppressions.schemas import SuppressionCreate
from ar_shared.db import DbSession
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/suppressions", tags=["suppressions"], route_class=ServiceRoute)


@router.post("", status_code=201, summary="Add an address to the suppression list")
async def add_suppression(principal: Manager, body: SuppressionCreate, session: DbSession) -> Suppression:
    entry = await service.suppress(session, principal, body)
    return Suppression.model_validate(entry)


@router.delete("/{suppression_id}", status_code=204, summary="Lift a suppression")
async def lift_suppression(principal: Manager, suppression_id: uuid.UUID, session: DbSession) -> Response:
    await service.lift(session, principal, suppression_id)
    return Response(status_code=204)


@router.get("", summary="List suppressed addresses")
async def list_suppressions(
    _: Manager,
    session: DbSession,
    page: Paging,
    reason: SuppressionReason | None = None,
) -> Page[Suppression]:
    after = decode_cursor(page.cursor, uuid.UUID)[0] if page.cursor else None
    rows = await SuppressionRepository(session).list(limit=page.limit + 1, after_id=after, reason=reason)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[Suppression](items=[Suppression.model_validate(r) for r in items], next_cursor=next_cursor)
