"""HTTP routes for activities on an account."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from ar_collections.activities import service
from ar_collections.activities.repository import ActivityRepository
from ar_collections.activities.schemas import Activity, ActivityCreate, ActivityKind
from ar_shared.auth import Principal, require_scopes
from ar_shared.db import DbSession
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(
    prefix="/v1/accounts/{customer_id}/activities", tags=["activities"], route_class=ServiceRoute
)

Collector = Annotated[Principal, Depends(require_scopes("collections:work"))]


@router.post(
    "",
    status_code=201,
    summary="Log a call, e-mail, note or visit",
    description="Send an `Idempotency-Key` so a retried submit from the collector's UI logs it once.",
)
async def log_activity(
    principal: Collector,
    customer_id: uuid.UUID,
    body: ActivityCreate,
    session: DbSession,
) -> Activity:
    activity = await service.log_activity(session, principal, customer_id, body)
    return Activity.model_validate(activity)


@router.get("", summary="The account's activity history, newest first")
async def list_activities(
    _: Collector,
    customer_id: uuid.UUID,
    session: DbSession,
    page: Paging,
    kind: ActivityKind | None = None,
) -> Page[Activity]:
    await service.require_account(session, customer_id)
    before = decode_cursor(page.cursor, datetime, uuid.UUID) if page.cursor else None
    rows = await ActivityRepository(session).for_account(
        customer_id, limit=page.limit + 1, before=before, kind=kind
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.occurred_at, r.id])
    return Page[Activity](items=[Activity.model_validate(r) for r in items], next_cursor=next_cursor)
