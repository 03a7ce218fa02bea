"""HTTP routes for escalations and the manager's queue."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from fastapi import APIRouter, Request

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.escalations import service
from ar_collections.escalations.schemas import Escalation, EscalationCreate, EscalationResolution
from ar_shared.inputs import Identifier
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["escalations"], route_class=ServiceRoute)


@router.post(
    "/v1/accounts/{customer_id}/escalations",
    status_code=201,
    summary="Escalate an account to the team's manager or another department",
)
async def escalate(
    principal: Worker,
    customer_id: uuid.UUID,
    body: EscalationCreate,
    session: CallerSession,
    calendars: Calendars,
    request: Request,
) -> Escalation:
    due_days = request.app.state.settings.dispute_due_days
    row = await service.escalate(session, principal, customer_id, body, calendars, due_days=due_days)
    return Escalation.model_validate(row)


@router.get("/v1/escalations", summary="The managers' queue: open escalations, earliest due first")
async def queue(
    _: Manager,
    session: CallerSession,
    page: Paging,
    status: Literal["open", "resolved"] | None = "open",
    assignee: Identifier | None = None,
) -> Page[Escalation]:
    after = decode_cursor(page.cursor, date, uuid.UUID) if page.cursor else None
    rows = await service.EscalationRepository(session).queue(
        status=status, assignee=assignee, limit=page.limit + 1, after=after
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.due_on, r.id])
    return Page[Escalation](items=[Escalation.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/v1/escalations/{escalation_id}", summary="One escalation")
async def get_escalation(_: Worker, escalation_id: uuid.UUID, session: CallerSession) -> Escalation:
    return Escalation.model_validate(await service.require_escalation(session, escalation_id))


@router.post(
    "/v1/escalations/{escalation_id}/resolution",
    summary="Record the outcome of an escalation (a resolved one answers 409)",
)
async def resolve(
    principal: Manager,
    escalation_id: uuid.UUID,
    body: EscalationResolution,
    session: CallerSession,
    calendars: Calendars,
) -> Escalation:
    return Escalation.model_validate(
        await service.resolve(session, principal, escalation_id, body, calendars)
    )
