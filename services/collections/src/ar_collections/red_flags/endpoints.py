"""HTTP routes for red flags: a run of the job on demand, the jobs the close of business asked
for, and the flags of one account."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.portfolios.service import require_account
from ar_collections.red_flags import jobs, service
from ar_collections.red_flags.repository import RedFlagRepository
from ar_collections.red_flags.schemas import (
    RedFlag,
    RedFlagJob,
    RedFlagJobStatus,
    RedFlagRun,
    RedFlagRunCreate,
    RedFlags,
)
from ar_shared.inputs import Identifier
from ar_shared.pagination import Page, Paging
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["escalations"], route_class=ServiceRoute)


@router.post(
    "/v1/red-flags/runs",
    summary="Look for red flags as of a date and escalate each new one to the credit manager",
    description=(
        "ADD rising `red_flag_add_rising_months` complete months running, a payment reversed "
        "(bounced) within `red_flag_lookback_days`, `red_flag_broken_promises` promises broken "
        "within `red_flag_broken_promises_window_days`, open AR above `red_flag_credit_use_percent` "
        "of the credit limit (settings). Each (customer, kind, occurrence) is raised once, as an "
        "escalation with its evidence (EscalationRaised): a rerun raises nothing twice. The worker "
        "runs the same job after each entity's close of business (`GET /v1/red-flags/jobs`). An "
        "`as_of` after the entity's business date (any entity's latest, without `business_entity`) "
        "is 422 `as_of_in_the_future`."
    ),
)
async def run_red_flags(
    principal: Manager, session: CallerSession, body: RedFlagRunCreate, calendars: Calendars, request: Request
) -> RedFlagRun:
    service.refuse_a_future_date(body.as_of, body.business_entity, calendars)
    raised = await service.run(
        session, principal, body.as_of, body.business_entity, request.app.state.settings
    )
    return RedFlagRun(
        as_of=body.as_of,
        business_entity=body.business_entity,
        raised=[RedFlag.model_validate(r) for r in raised],
    )


@router.get(
    "/v1/red-flags/jobs",
    summary="The red-flag jobs the close of business asked for, latest business date first",
    description=(
        "One job per entity and business date, asked for in the business date's transaction and run "
        "by the worker after it commits, in date order per entity: `pending` until it ran (a failed "
        "attempt is rolled back alone, counted in `attempts` with `last_error`, and retried at the "
        "next poll; the entity's later jobs wait for it), then `completed` with the flags it raised. "
        "`kinds`: what it judges (ADD rising only when the entity's last complete month moved). "
        "A cursor this API did not issue is 400 `invalid_cursor`."
    ),
)
async def list_red_flag_jobs(
    _: Manager,
    session: CallerSession,
    page: Paging,
    business_entity: Annotated[
        Identifier | None, Query(min_length=1, max_length=200, examples=["DE01"])
    ] = None,
    status: RedFlagJobStatus | None = None,
) -> Page[RedFlagJob]:
    return await jobs.list_jobs(session, business_entity, status, page)


@router.get(
    "/v1/accounts/{customer_id}/red-flags", summary="The red flags raised on an account, oldest first"
)
async def account_red_flags(_: Worker, session: CallerSession, customer_id: uuid.UUID) -> RedFlags:
    await require_account(session, customer_id)
    rows = await RedFlagRepository(session).of_customer(customer_id)
    return RedFlags(items=[RedFlag.model_validate(r) for r in rows])
