"""HTTP route for the order credit check (decisions recorded for orders: orders/endpoints.py)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ar_credit.check import service
from ar_credit.check.auth import Checker
from ar_credit.check.schemas import CreditCheck
from ar_shared.db import ReadPool
from ar_shared.inputs import Identifier
from ar_shared.money import CurrencyMismatch, InvalidAmount, Money, UnknownCurrency
from ar_shared.problems import ProblemError
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["credit check"], route_class=ServiceRoute)


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
