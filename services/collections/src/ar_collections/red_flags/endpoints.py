"""HTTP routes for red flags: a run of the job on demand, and the flags of one account."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.portfolios.service import require_account
from ar_collections.red_flags import service
from ar_collections.red_flags.repository import RedFlagRepository
from ar_collections.red_flags.schemas import RedFlag, RedFlagRun, RedFlagRunCreate, RedFlags
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
        "runs the same job at each entity's close of business. An `as_of` after the entity's business "
        "date (any entity's latest, without `business_entity`) is 422 `as_of_in_the_future`."
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
    "/v1/accounts/{customer_id}/red-flags", summary="The red flags raised on an account, oldest first"
)
async def account_red_flags(_: Worker, session: CallerSession, customer_id: uuid.UUID) -> RedFlags:
    await require_account(session, customer_id)
    rows = await RedFlagRepository(session).of_customer(customer_id)
    return RedFlags(items=[RedFlag.model_validate(r) for r in rows])
