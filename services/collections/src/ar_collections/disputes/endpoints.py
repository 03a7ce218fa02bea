"""HTTP routes for dispute and deduction cases and their root-cause report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.disputes import report, service
from ar_collections.disputes.repository import DisputeRepository
from ar_collections.disputes.schemas import Dispute, DisputeCreate, DisputeStatusChange, RootCauseReport
from ar_collections.exports import EXPORT_RESPONSES
from ar_collections.portfolios.service import require_account
from ar_shared.inputs import BusinessDate
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["disputes"], route_class=ServiceRoute)


@router.post(
    "/v1/accounts/{customer_id}/disputes",
    status_code=201,
    summary="Open a dispute over invoices of the account (dunning pauses for exactly them)",
    description="Each item's amount is at most its open balance; a paid or voided invoice, or one in "
    "an open case already, is refused with field errors and nothing is written.",
)
async def open_dispute(
    principal: Worker,
    customer_id: uuid.UUID,
    body: DisputeCreate,
    session: CallerSession,
    calendars: Calendars,
    request: Request,
) -> Dispute:
    case = await service.open_dispute(
        session, principal, customer_id, body, calendars, due_days=request.app.state.settings.dispute_due_days
    )
    return await service.snapshot(session, case)


@router.get("/v1/accounts/{customer_id}/disputes", summary="The account's dispute and deduction cases")
async def list_disputes(
    _: Worker, customer_id: uuid.UUID, session: CallerSession, page: Paging, open_only: bool = True
) -> Page[Dispute]:
    await require_account(session, customer_id)
    after = decode_cursor(page.cursor, date, uuid.UUID) if page.cursor else None
    rows = await DisputeRepository(session).of_account(
        customer_id, open_only=open_only, limit=page.limit + 1, after=after
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.opened_on, r.id])
    return Page[Dispute](items=[await service.snapshot(session, r) for r in items], next_cursor=next_cursor)


@router.get("/v1/disputes/{case_id}", summary="One case, with its items and history")
async def get_dispute(_: Worker, case_id: uuid.UUID, session: CallerSession) -> Dispute:
    return await service.snapshot(session, await service.require_case(session, case_id))


@router.post(
    "/v1/disputes/{case_id}/status",
    summary="Move a case on: under review, resolved valid / invalid, withdrawn",
    description="Resolved valid asks the ledger for a credit memo per item (`CreditMemoRequested`); the "
    "case closes when they arrived. Invalid or withdrawn: the items go back into dunning. A resolved "
    "or withdrawn case answers 409.",
)
async def change_status(
    principal: Worker,
    case_id: uuid.UUID,
    body: DisputeStatusChange,
    session: CallerSession,
    calendars: Calendars,
) -> Dispute:
    return await service.snapshot(
        session, await service.change_status(session, principal, case_id, body, calendars)
    )


@router.get(
    "/v1/reports/dispute-root-causes",
    summary="Cases and disputed amounts by reason and root cause, with time to resolve",
    description="Cases opened in [opened_from, opened_to]; `format` csv or xlsx for a file.",
    responses=EXPORT_RESPONSES,
    response_model=RootCauseReport,
)
async def root_causes(
    _: Manager,
    session: CallerSession,
    opened_from: BusinessDate,
    opened_to: BusinessDate,
    kind: Literal["dispute", "deduction"] | None = None,
    export_format: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
) -> RootCauseReport | Response:
    result = await report.root_causes(session, opened_from, opened_to, kind)
    if export_format == "json":
        return result
    return report.export(result, export_format)
