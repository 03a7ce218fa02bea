"""Credit: the largest amounts through exposure and the check; input PostgreSQL cannot hold,
forged cursors and dates past the accepted range are 4xx problems, and nothing is written."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_credit.consumers import handlers
from ar_credit.models import CreditHold, CreditOrder, CreditProfile, plumbing
from ar_shared.clock import Clock
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent, EventPayload
from ar_shared.events.ledger import (
    AccountPastDue,
    CreditMemoIssued,
    CustomerUpserted,
    InvoiceIssued,
    PaymentReceived,
)
from ar_shared.events.registry import parse_payload
from ar_shared.money import MAX_AMOUNT_MINOR, Money, MoneyAmount, MoneyTotal
from ar_shared.outbox import OutboxWriter

pytestmark = pytest.mark.integration

LARGEST = str(Money(MAX_AMOUNT_MINOR, "EUR"))  # 9999999999999.99
# a few largest invoices: their sum is past one amount's limit. A customer's sums here never pass
# what the ledger lets one customer owe (a BIGINT balance, tested there): each event re-evaluates
# the policy over all the customer's invoices, so the ledger's 9,223 would take minutes
INVOICES = 3


def money(minor: int) -> dict[str, str]:
    return {"amount": str(Money(minor, "EUR")), "currency": "EUR"}


async def deliver(app: FastAPI, events: list[EventPayload]) -> None:
    """The credit handlers, as the consumer runs them: each event read back from its JSON."""
    async with app.state.sessionmaker() as session:
        for sent in events:
            event = CloudEvent.from_json_bytes(CloudEvent.wrap(sent).to_json_bytes())
            payload = parse_payload(event)
            assert handlers.get(payload.event_type()) is not None
            await handlers.handle(
                HandlerContext(session, event, OutboxWriter(plumbing), app.state.clock), payload
            )
        await session.commit()


async def test_the_largest_amounts_flow_through_exposure_the_check_and_the_credit_reference(
    client: httpx.AsyncClient,
    credit_app: FastAPI,
    manager: dict[str, str],
    order_system: dict[str, str],
    clock: Clock,
) -> None:
    customer_id = uuid.uuid4()
    today = clock.now().date()
    issued, due = today - timedelta(days=60), today - timedelta(days=30)
    largest = MoneyAmount(amount=LARGEST, currency="EUR")
    events: list[EventPayload] = [
        CustomerUpserted(
            customer_id=customer_id, external_id="MAX-1", name="Largest", currency="EUR",
            payment_terms_days=30, business_entity="MAX", sales_rep=None,
        )
    ]  # fmt: skip
    # largest invoices, each overdue
    events += [
        InvoiceIssued(
            invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="MAX", invoice_number=f"I-{n}",
            issue_date=issued, due_date=due, amount=largest,
        )
        for n in range(INVOICES)
    ]  # fmt: skip
    events += [
        PaymentReceived(
            payment_id=uuid.uuid4(), customer_id=customer_id, amount=largest, received_on=today,
            unapplied=largest,
        ),
        CreditMemoIssued(
            credit_memo_id=uuid.uuid4(), customer_id=customer_id, memo_number="CM-1", issue_date=today,
            amount=largest, invoice_id=None, reason_code=None,
        ),
        AccountPastDue(
            customer_id=customer_id, as_of=today, bucket="1-30", oldest_days_past_due=30,
            overdue=[MoneyTotal.from_money(Money(INVOICES * MAX_AMOUNT_MINOR, "EUR"))],
            overdue_invoice_ids=[],
        ),
    ]  # fmt: skip
    await deliver(credit_app, events)
    profile = {
        "credit_limit": {"amount": LARGEST, "currency": "EUR"},
        "risk_class": "low",
        "reason": "largest",
    }
    response = await client.put(f"/v1/credit-profiles/{customer_id}", json=profile, headers=manager)
    assert response.status_code in {201, 202}, response.text

    check = await client.get(
        "/v1/credit-check",
        params={"customer_id": str(customer_id), "amount": LARGEST, "currency": "EUR"},
        headers=order_system,
    )
    assert check.status_code == 200, check.text
    exposure = check.json()["exposure"]
    owed = INVOICES * MAX_AMOUNT_MINOR
    assert exposure["open_ar"] == exposure["overdue"] == money(owed)
    assert (exposure["unapplied_cash"], exposure["unapplied_credits"]) == (money(MAX_AMOUNT_MINOR),) * 2
    assert exposure["total"] == money(owed - 2 * MAX_AMOUNT_MINOR)
    assert check.json()["decision"] == "held"  # the past-due policy placed a hold
    reference = await client.get(f"/v1/customers/{customer_id}/credit-reference", headers=manager)
    assert reference.status_code == 200, reference.text
    assert (reference.json()["open_ar"], reference.json()["overdue"]) == (money(owed), money(owed))


async def test_an_order_amount_past_the_limit_of_one_amount_is_a_422(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], order_system: dict[str, str]
) -> None:
    customer_id = uuid.uuid4()
    customer = CustomerUpserted(
        customer_id=customer_id, external_id="MAX-2", name="Large", currency="EUR",
        payment_terms_days=30, business_entity="MAX", sales_rep=None,
    )  # fmt: skip
    await deliver(credit_app, [customer])
    too_large = "10000000000000.00"
    check = await client.get(
        "/v1/credit-check",
        params={"customer_id": str(customer_id), "amount": too_large, "currency": "EUR"},
        headers=order_system,
    )
    assert (check.status_code, check.json()["code"]) == (422, "invalid_amount")
    order = {
        "order_reference": "SO-MAX",
        "customer_id": str(customer_id),
        "amount": {"amount": too_large, "currency": "EUR"},
    }
    decided = await client.post("/v1/credit-decisions", json=order, headers=order_system)
    assert decided.status_code == 422
    assert [e["field"] for e in decided.json()["errors"]] == ["amount"]
    profile = {"credit_limit": {"amount": too_large, "currency": "EUR"}, "risk_class": "low", "reason": "x"}
    refused = await client.put(f"/v1/credit-profiles/{customer_id}", json=profile, headers=manager)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["credit_limit"]


def forged(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).rstrip(b"=").decode()


async def counts(app: FastAPI) -> list[int]:
    async with app.state.sessionmaker() as session:
        return [
            await session.scalar(select(func.count()).select_from(t)) or 0
            for t in (CreditOrder, CreditProfile, CreditHold, plumbing.outbox)
        ]


async def test_nul_forged_cursors_and_edge_dates_are_4xx_problems_and_nothing_is_written(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = uuid.uuid4()
    customer = CustomerUpserted(
        customer_id=customer_id, external_id="H-1", name="Hostile", currency="EUR",
        payment_terms_days=30, business_entity="HX", sales_rep=None,
    )  # fmt: skip
    await deliver(credit_app, [customer])
    eur = {"amount": "100.00", "currency": "EUR"}
    profile = {"credit_limit": eur, "risk_class": "low", "reason": "review"}
    order = {"order_reference": "SO\u0000", "customer_id": str(customer_id), "amount": eur}
    hold = {"customer_id": str(customer_id), "reason_code": "other", "note": "\u0000"}
    a_hold = str(uuid.uuid4())
    check = f"/v1/credit-check?customer_id={customer_id}&amount=1"
    profile_url = f"/v1/credit-profiles/{customer_id}"
    cases: list[tuple[str, str, dict[str, Any] | None, int, str]] = [
        ("POST", "/v1/credit-decisions", order, 422, "order_reference"),
        ("POST", "/v1/credit-decisions/SO%00-1/release", {"reason": "ok"}, 422, "order_reference"),
        ("POST", "/v1/credit-decisions/SO%01-1/cancel", None, 422, "order_reference"),
        ("POST", "/v1/credit-decisions/SO%00-1/invoiced", None, 422, "order_reference"),
        ("PUT", profile_url, profile | {"reason": "ok\u0000"}, 422, "reason"),
        ("PUT", profile_url, profile | {"review_date": "3000-01-01"}, 422, "review_date"),
        ("PUT", profile_url, profile | {"review_date": 0}, 422, "review_date"),
        ("POST", "/v1/holds", hold, 422, "note"),
        ("POST", f"/v1/holds/{a_hold}/release", {"reason": "paid\u0000"}, 422, "reason"),
        ("GET", f"{check}&currency=E%00R", None, 422, "currency"),
        ("GET", "/v1/credit-reviews/due?as_of=0001-01-01", None, 422, "as_of"),
        ("GET", "/v1/credit-reviews/due?as_of=1767225600", None, 422, "as_of"),
        ("GET", f"/v1/holds?cursor={forged('x')}", None, 400, "invalid_cursor"),
        ("GET", f"/v1/holds?cursor={forged(1)}", None, 400, "invalid_cursor"),
        ("GET", f"/v1/holds?cursor={forged(None)}", None, 400, "invalid_cursor"),
    ]  # fmt: skip
    before = await counts(credit_app)
    for method, url, body, status, what in cases:
        response = await client.request(
            method, url, content=None if body is None else json.dumps(body),
            headers=manager | {"content-type": "application/json"},
        )  # fmt: skip
        assert response.status_code == status, (url, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert (problem["code"] if status == 400 else [e["field"] for e in problem["errors"]]) == (
            what if status == 400 else [what]
        ), response.text
    assert await counts(credit_app) == before
