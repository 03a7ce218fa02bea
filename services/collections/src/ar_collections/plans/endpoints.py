"""HTTP routes for payment plans."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter

from ar_collections.access import CallerSession, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.plans import service
from ar_collections.plans.schemas import Plan, PlanCreate, PlanStatus
from ar_collections.portfolios.service import require_account
from ar_collections.promises.repository import PlanRepository
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["payment plans"], route_class=ServiceRoute)
PLANS = "/v1/accounts/{customer_id}/payment-plans"


@router.post(
    PLANS,
    status_code=201,
    summary="Agree a payment plan",
    description="Instalments (and an optional down payment, due first) over chosen open items; their dunning "
    "pauses while the plan is active and their reason code becomes `payment_plan`; the customer gets the "
    "plan confirmation. Refused whole (422, nothing written): instalments that do not add up to the items' "
    "open balance (`instalments_do_not_add_up`), are not in date order (`instalments_not_in_date_order`) or "
    "fall before the business date (`instalment_in_the_past`), items in another currency or covered by a "
    "live promise or plan already.",
)
async def agree_plan(
    principal: Worker, customer_id: uuid.UUID, body: PlanCreate, session: CallerSession, calendars: Calendars
) -> Plan:
    return await service.agree_plan(session, principal, customer_id, body, calendars)


@router.get(PLANS, summary="The account's payment plans, newest last")
async def list_plans(
    _: Worker, customer_id: uuid.UUID, session: CallerSession, page: Paging, status: PlanStatus | None = None
) -> Page[Plan]:
    await require_account(session, customer_id)
    after = decode_cursor(page.cursor, date, uuid.UUID) if page.cursor else None
    rows = await PlanRepository(session).page(
        customer_id=customer_id, status=status, after=after, limit=page.limit + 1
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.agreed_on, r.id])
    return Page[Plan](items=await service.plans_out(session, items), next_cursor=next_cursor)


@router.get(f"{PLANS}/{{plan_id}}", summary="One payment plan, with each instalment's status")
async def get_plan(_: Worker, customer_id: uuid.UUID, plan_id: uuid.UUID, session: CallerSession) -> Plan:
    return await service.get_plan(session, customer_id, plan_id)
