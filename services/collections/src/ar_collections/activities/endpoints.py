"""HTTP routes for activities on an account (the contact history) and the outcome codes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from ar_collections import exports
from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.activities import service
from ar_collections.activities.repository import ActivityFilter, ActivityRepository, OutcomeCodeRepository
from ar_collections.activities.schemas import (
    Activity,
    ActivityCreate,
    ActivityKind,
    Direction,
    OutcomeCode,
    OutcomeCodeUpsert,
    OutcomeCodeValue,
)
from ar_collections.calendars.dependencies import Calendars
from ar_collections.portfolios.service import require_account
from ar_shared.inputs import BusinessDate, Identifier
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["activities"], route_class=ServiceRoute)
HISTORY = "/v1/accounts/{customer_id}/activities"


async def activity_filter(
    kind: ActivityKind | None = None,
    direction: Direction | None = None,
    outcome: OutcomeCodeValue | None = None,
    logged_by: Annotated[Identifier | None, Query(max_length=200)] = None,
    on_or_after: Annotated[
        BusinessDate | None, Query(alias="from", description="Business date, inclusive")
    ] = None,
    on_or_before: Annotated[
        BusinessDate | None, Query(alias="to", description="Business date, inclusive")
    ] = None,
) -> ActivityFilter:
    return ActivityFilter(kind, direction, outcome, logged_by, on_or_after, on_or_before)


Filter = Annotated[ActivityFilter, Depends(activity_filter)]


@router.post(
    HISTORY,
    status_code=201,
    summary="Log a call, e-mail, letter, note or visit",
    description="Send an `Idempotency-Key` so a retried submit from the collector's UI logs it once. "
    "`next_follow_up_on` creates a follow-up task due that day.",
)
async def log_activity(
    principal: Worker,
    customer_id: uuid.UUID,
    body: ActivityCreate,
    session: CallerSession,
    calendars: Calendars,
) -> Activity:
    activity = await service.log_activity(session, principal, customer_id, body, calendars)
    return Activity.model_validate(activity)


@router.get(HISTORY, summary="The account's contact history, newest first, filterable")
async def list_activities(
    _: Worker, customer_id: uuid.UUID, session: CallerSession, page: Paging, where: Filter
) -> Page[Activity]:
    await require_account(session, customer_id)
    before = decode_cursor(page.cursor, datetime, uuid.UUID) if page.cursor else None
    rows = await ActivityRepository(session).for_account(
        customer_id, limit=page.limit + 1, before=before, where=where
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.occurred_at, r.id])
    return Page[Activity](items=[Activity.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get(
    f"{HISTORY}/export",
    summary="The account's contact history as CSV or XLSX (same filters)",
    response_class=Response,
    responses=exports.EXPORT_RESPONSES,
)
async def export_activities(
    _: Worker,
    customer_id: uuid.UUID,
    session: CallerSession,
    where: Filter,
    export_format: Annotated[exports.ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    await require_account(session, customer_id)
    rows = await ActivityRepository(session).for_account(customer_id, limit=None, before=None, where=where)
    table = exports.Table(
        "Contact history",
        [
            "occurred_at",
            "occurred_on",
            "kind",
            "direction",
            "outcome",
            "contact",
            "duration_seconds",
            "summary",
            "next_follow_up_on",
            "logged_by",
        ],
        [
            [
                r.occurred_at,
                r.occurred_on,
                r.kind,
                r.direction,
                r.outcome,
                r.contact,
                r.duration_seconds,
                r.summary,
                r.next_follow_up_on,
                r.logged_by,
            ]
            for r in rows
        ],
    )
    return exports.response(table, export_format, f"contact-history-{customer_id}")


@router.get("/v1/outcome-codes", summary="The outcome codes of this installation")
async def list_outcome_codes(_: Worker, session: CallerSession) -> list[OutcomeCode]:
    return [OutcomeCode.model_validate(c) for c in await OutcomeCodeRepository(session).all()]


@router.put(
    "/v1/outcome-codes/{code}",
    summary="Add or change an outcome code (deactivate rather than delete: history keeps it)",
    responses={201: {"model": OutcomeCode, "description": "Created"}},
)
async def save_outcome_code(
    principal: Manager,
    code: Annotated[OutcomeCodeValue, Path()],
    body: OutcomeCodeUpsert,
    session: CallerSession,
    response: Response,
) -> OutcomeCode:
    row, created = await service.save_outcome_code(session, principal, code, body)
    response.status_code = 201 if created else 200
    return OutcomeCode.model_validate(row)
