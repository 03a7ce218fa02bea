"""HTTP routes for the order credit check and credit decisions."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from ar_credit.check import service
from ar_credit.check.schemas import CreditCheck, CreditDecision, CreditDecisionCreate, OverrideRequest
from ar_credit.orders import service as orders
from ar_credit.orders.views import out
from ar_shared.auth import Principal, require_scopes
from ar_shared.db import DbSession, ReadPool
from ar_shared.inputs import Identifier
from ar_shared.money import CurrencyMismatch, InvalidAmount, Money, UnknownCurrency
from ar_shared.problems import ProblemError
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["credit check"], route_class=ServiceRoute)

Checker = Annotated[Principal, Depends(require_scopes("credit:check"))]
Manager = Annotated[Principal, Depends(require_scopes("credit:manage"))]


@router.get(
    "/v1/credit-check",
    response_model=CreditCheck,
    summary="May this order ship?",
    description=(
        "Read-only. `approved` when the order fits the available credit (limit minus exposure; "
        "reaching the limit exactly is approved), `over_limit` when it does not, `held` when the "
        "customer has an active credit hold. Exposure = open AR - unapplied cash - unapplied credits "
        "+ open orders; its parts are returned separately. Judged on the business date of the "
        "customer's business entity (`business_date` in the answer): days past due count to it."
    ),
)
async def credit_check(
    _: Checker,
    reads: ReadPool,
    request: Request,
    customer_id: uuid.UUID,
    amount: Annotated[Decimal, Query(description="Order amount as a decimal string", examples=["2500.00"])],
    currency: Annotated[Identifier, Query(min_length=3, max_length=3, examples=["EUR"])],
) -> Response:
    try:
        money = Money.parse_exact(str(amount), currency.upper())
    except (InvalidAmount, UnknownCurrency, CurrencyMismatch) as exc:
        raise ProblemError(str(exc), status=422, code="invalid_amount") from None
    state = request.app.state
    async with reads.acquire() as connection:
        check = await service.check(connection, customer_id, money, state.clock.now(), state.settings.rules)
    # `response_model` documents the answer; it is rendered straight from plain values
    return Response(check.to_json(), media_type="application/json")


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
    order, created = await orders.decide(session, principal, body, request.app.state.settings.rules)
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
    return out(await orders.release(session, principal, order_reference, body.reason, rules))


@router.post(
    "/v1/credit-decisions/{order_reference}/cancel",
    summary="The order was cancelled",
    description="It no longer counts as an open order: the customer's blocked orders are judged again.",
)
async def cancel(
    principal: Checker, order_reference: Identifier, session: DbSession, request: Request
) -> CreditDecision:
    rules = request.app.state.settings.rules
    return out(await orders.close(session, principal, order_reference, "cancelled", rules))


@router.post(
    "/v1/credit-decisions/{order_reference}/invoiced",
    summary="The order was invoiced",
    description="Its amount moves from open orders to open AR (also when its invoice names it).",
)
async def invoiced(
    principal: Checker, order_reference: Identifier, session: DbSession, request: Request
) -> CreditDecision:
    rules = request.app.state.settings.rules
    return out(await orders.close(session, principal, order_reference, "invoiced", rules))
