"""HTTP routes for orders' credit decisions: recording one, overriding or closing it, and the
blocked-order queue (decisions by status, customer, entity and date)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from ar_credit.orders import service
from ar_credit.orders.auth import Checker, Manager
from ar_credit.orders.repository import OrderRepository
from ar_credit.orders.schemas import CreditDecision, CreditDecisionCreate, OverrideRequest
from ar_credit.orders.views import out
from ar_shared.db import DbSession
from ar_shared.inputs import BusinessDate, Identifier
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.problems import Unprocessable
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["credit check"], route_class=ServiceRoute)

Status = Literal["approved", "refused", "released", "cancelled", "invoiced"]


@router.post(
    "/v1/credit-decisions",
    status_code=201,
    summary="Record the credit decision for an order",
    description=(
        "Idempotent per `order_reference`: the same order again answers with the first decision "
        "(200); the same reference for another customer or amount is refused (409). An approved "
        "order counts as an open order until it is invoiced or cancelled."
    ),
    responses={200: {"model": CreditDecision, "description": "The order was decided before"}},
)
async def decide(
    principal: Checker, body: CreditDecisionCreate, session: DbSession, request: Request, response: Response
) -> CreditDecision:
    order, created = await service.decide(session, principal, body, request.app.state.settings.rules)
    response.status_code = 201 if created else 200
    return out(order)


@router.post(
    "/v1/credit-decisions/{order_reference}/release",
    summary="Override: release an over-limit or held order (credit manager)",
)
async def release(
    principal: Manager,
    order_reference: Identifier,
    body: OverrideRequest,
    session: DbSession,
    request: Request,
) -> CreditDecision:
    rules = request.app.state.settings.rules
    return out(await service.release(session, principal, order_reference, body.reason, rules))


@router.post(
    "/v1/credit-decisions/{order_reference}/cancel",
    summary="The order was cancelled",
    description="It no longer counts as an open order: the customer's blocked orders are judged again.",
)
async def cancel(
    principal: Checker, order_reference: Identifier, session: DbSession, request: Request
) -> CreditDecision:
    rules = request.app.state.settings.rules
    return out(await service.close(session, principal, order_reference, "cancelled", rules))


@router.post(
    "/v1/credit-decisions/{order_reference}/invoiced",
    summary="The order was invoiced",
    description="Its amount moves from open orders to open AR (also when its invoice names it).",
)
async def invoiced(
    principal: Checker, order_reference: Identifier, session: DbSession, request: Request
) -> CreditDecision:
    rules = request.app.state.settings.rules
    return out(await service.close(session, principal, order_reference, "invoiced", rules))


@router.get(
    "/v1/credit-decisions",
    summary="Credit decisions: the blocked-order queue",
    description=(
        "Oldest first, the order they wait in. `status=refused` is the queue of orders credit "
        "blocked: each is judged again whenever its customer's holds or exposure change, and "
        "released by itself when it passes (`CreditDecisionChanged` on `credit.events` and the "
        "order system's webhook); those still blocked keep their current reasons. Filters: "
        "customer, business entity, and the business date decided on (`decided_from`, `decided_to`, "
        "inclusive)."
    ),
)
async def list_decisions(
    _: Checker,
    session: DbSession,
    page: Paging,
    status: Status | None = None,
    customer_id: uuid.UUID | None = None,
    business_entity: Annotated[
        Identifier | None, Query(min_length=1, max_length=50, examples=["DE01"])
    ] = None,
    decided_from: Annotated[
        BusinessDate | None, Query(description="Decided on or after this business date")
    ] = None,
    decided_to: Annotated[
        BusinessDate | None, Query(description="Decided on or before this business date")
    ] = None,
) -> Page[CreditDecision]:
    if decided_from is not None and decided_to is not None and decided_to < decided_from:
        raise Unprocessable("decided_to is before decided_from", code="invalid_date_range")
    after = decode_cursor(page.cursor, datetime, str) if page.cursor else None
    rows = await OrderRepository(session).list(
        limit=page.limit + 1, after=after, status=status, customer_id=customer_id,
        business_entity=business_entity, decided_from=decided_from, decided_to=decided_to,
    )  # fmt: skip
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.created_at, r.order_reference])
    return Page[CreditDecision](items=[out(r) for r in items], next_cursor=next_cursor)
