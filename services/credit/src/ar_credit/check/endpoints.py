"""HTTP route for the order credit check (decisions recorded for orders: orders/endpoints.py)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Annotated
from urllib.parse import parse_qsl

import asyncpg
from fastapi import APIRouter, Query, Request, Response

from ar_credit.check import service
from ar_credit.check.auth import CHECK_SCOPE, Checker
from ar_credit.check.schemas import CreditCheck
from ar_shared.auth import Principal
from ar_shared.db import ReadPool
from ar_shared.inputs import Identifier
from ar_shared.money import CurrencyMismatch, InvalidAmount, Money, UnknownCurrency
from ar_shared.problems import ProblemError
from ar_shared.routing import ServiceRoute, fast_path

router = APIRouter(tags=["credit check"], route_class=ServiceRoute)

# What the declared parameters accept, narrowed to the forms an order system sends: a canonical
# UUID, a plain decimal, three letters. Anything else takes the declared route (same answer,
# or its own problem document).
_CUSTOMER_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_AMOUNT = re.compile(r"[0-9]{1,30}(?:\.[0-9]{1,30})?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_PARAMETERS = frozenset({"customer_id", "amount", "currency"})


async def well_formed_check(request: Request) -> Response | None:
    """The check of a well-formed request by a caller with the scope, without FastAPI's
    dependency machinery (half the server's CPU per check: docs/benchmarks.md); None for
    anything else.

    The caller is the one the edge guard verified (`RequestGuard`); the query string is read as
    Starlette reads it for the declared route.
    """
    principal = request.scope.get("state", {}).get("principal")
    if not isinstance(principal, Principal) or not principal.has(CHECK_SCOPE):
        return None
    query = parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    parameters = dict(query)
    if len(query) != len(_PARAMETERS) or parameters.keys() != _PARAMETERS:  # missing, unknown, repeated
        return None
    customer_id, amount, currency = parameters["customer_id"], parameters["amount"], parameters["currency"]
    if not (
        _CUSTOMER_ID.fullmatch(customer_id) and _AMOUNT.fullmatch(amount) and _CURRENCY.fullmatch(currency)
    ):
        return None
    return await _answer(
        request, request.app.state.read_pool, uuid.UUID(customer_id), Decimal(amount), currency
    )


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
@fast_path(well_formed_check)
async def credit_check(
    _: Checker,
    reads: ReadPool,
    request: Request,
    customer_id: uuid.UUID,
    amount: Annotated[Decimal, Query(description="Order amount as a decimal string", examples=["2500.00"])],
    currency: Annotated[Identifier, Query(min_length=3, max_length=3, examples=["EUR"])],
) -> Response:
    return await _answer(request, reads, customer_id, amount, currency)


async def _answer(
    request: Request, reads: asyncpg.Pool, customer_id: uuid.UUID, amount: Decimal, currency: str
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
