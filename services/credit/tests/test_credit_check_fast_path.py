"""The credit check's fast path answers exactly what the declared route answers, or leaves it be."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request

from ar_credit.check.endpoints import well_formed_check
from ar_credit.config import CreditSettings
from ar_shared.auth import Principal
from ar_shared.clock import Clock
from ar_shared.events.ledger import CustomerUpserted, InvoiceIssued
from ar_shared.money import MoneyAmount
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration

Deliver = Callable[..., Awaitable[None]]

CHECK = ("credit:check",)
ORDER_SYSTEM = Principal("sales-ops", frozenset(CHECK))


async def customer(deliver: Deliver, open_ar: str | None = None) -> uuid.UUID:
    customer_id = uuid.uuid4()
    today = TEST_CLOCK.now().date()
    await deliver(
        CustomerUpserted(
            customer_id=customer_id, external_id=f"F-{customer_id.hex[:6]}", name="Initrode", currency="EUR",
            payment_terms_days=30, business_entity="DE01", sales_rep=None,
        )
    )  # fmt: skip
    if open_ar is not None:
        await deliver(
            InvoiceIssued(
                invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="DE01",
                invoice_number="I-1", issue_date=today, due_date=today + timedelta(days=30),
                amount=MoneyAmount(amount=open_ar, currency="EUR"),
            )
        )  # fmt: skip
    return customer_id


def request_to(app: FastAPI, query: str, principal: Principal | None = ORDER_SYSTEM) -> Request:
    """The request as the route sees it once the edge guard verified its caller (if any)."""
    state = {} if principal is None else {"principal": principal}
    return Request({"type": "http", "app": app, "query_string": query.encode("latin-1"), "state": state})


async def test_a_well_formed_check_gets_the_declared_routes_answer(
    client: httpx.AsyncClient,
    credit_app: FastAPI,
    deliver: Deliver,
    manager: dict[str, str],
    order_system: dict[str, str],
) -> None:
    with_limit = await customer(deliver, open_ar="6000.00")
    profile = {
        "credit_limit": {"amount": "10000.00", "currency": "EUR"},
        "risk_class": "low",
        "reason": "test",
    }
    limited = await client.put(f"/v1/credit-profiles/{with_limit}", json=profile, headers=manager)
    assert limited.status_code in {200, 201}, limited.text
    held = await customer(deliver, open_ar="100.00")
    await client.post(
        "/v1/holds", json={"customer_id": str(held), "reason_code": "fraud_suspected"}, headers=manager
    )
    for customer_id, amount, decision in [
        (with_limit, "10.00", "approved"),
        (with_limit, "9000.00", "over_limit"),
        (held, "1.00", "held"),
    ]:
        fast = await well_formed_check(
            request_to(
                credit_app, urlencode({"customer_id": customer_id, "amount": amount, "currency": "eur"})
            )
        )
        assert fast is not None
        # a UUID without hyphens is valid for the declared route, and not the fast path's form
        declared = await client.get(
            "/v1/credit-check",
            params={"customer_id": customer_id.hex, "amount": amount, "currency": "EUR"},
            headers=order_system,
        )
        assert declared.status_code == fast.status_code == 200
        assert declared.json()["decision"] == decision
        assert fast.body == declared.content
        assert fast.headers["content-type"] == declared.headers["content-type"]


async def test_the_fast_paths_refusals_are_the_declared_routes_problems(
    client: httpx.AsyncClient, deliver: Deliver, order_system: dict[str, str]
) -> None:
    customer_id = await customer(deliver)
    for amount, currency, status, code in [
        ("10.00", "EUR", 404, "customer_not_found"),
        ("10.00", "USD", 422, "currency_mismatch"),
        ("0", "EUR", 422, "amount_not_positive"),
        ("10.001", "EUR", 422, "invalid_amount"),
        ("10000000000000.00", "EUR", 422, "invalid_amount"),
    ]:
        who = uuid.uuid4() if code == "customer_not_found" else customer_id
        query = {"customer_id": str(who), "amount": amount, "currency": currency}
        response = await client.get("/v1/credit-check", params=query, headers=order_system)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("query", "scopes", "status", "code"),
    [
        ("amount=1.00&currency=EUR", CHECK, 422, "validation_error"),
        ("customer_id={c}&amount=1.00&amount=2.00&currency=EUR", CHECK, 200, None),
        ("customer_id={c}&amount=1.00&currency=EUR&customer=x", CHECK, 400, "unknown_query_parameter"),
        ("customer_id={c}&amount=-1.00&currency=EUR", CHECK, 422, "amount_not_positive"),
        ("customer_id={c}&amount=1e2&currency=EUR", CHECK, 422, "invalid_amount"),
        ("customer_id={c}&amount=1.00&currency=EURO", CHECK, 422, "validation_error"),
        ("customer_id={c}&amount=1.00&currency=E%00R", CHECK, 422, "validation_error"),
        ("customer_id=not-a-uuid&amount=1.00&currency=EUR", CHECK, 422, "validation_error"),
        ("customer_id={c}&amount=1.00&currency=EUR", ("credit:manage",), 403, "insufficient_scope"),
        ("customer_id={c}&amount=1.00&currency=EUR", None, 401, "missing_token"),
    ],
)
async def test_anything_else_is_left_to_the_declared_route(
    client: httpx.AsyncClient,
    credit_app: FastAPI,
    deliver: Deliver,
    credit_settings: CreditSettings,
    clock: Clock,
    query: str,
    scopes: tuple[str, ...] | None,
    status: int,
    code: str | None,
) -> None:
    customer_id = await customer(deliver)
    query = query.format(c=customer_id)
    principal = None if scopes is None else Principal("caller", frozenset(scopes))
    assert await well_formed_check(request_to(credit_app, query, principal)) is None
    headers = {} if scopes is None else bearer(credit_settings.auth, *scopes, clock=clock)
    response = await client.get(f"/v1/credit-check?{query}", headers=headers)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code
