"""The cases of an account, where a collector sees them: the account view lists its open dispute
and deduction cases (disputed amounts, age on the business date; a valid one until its credit
memos arrived), its pending write-off and suspension recommendations and its open escalations;
the worklist weighs the age of its oldest open case (`dispute_age`).

The entity's business date is set by hand (D, then later), so every date below is about dates
themselves.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from ar_collections.testing import Book

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)


def item(invoice_id: uuid.UUID, amount: str) -> dict[str, Any]:
    return {"invoice_id": str(invoice_id), "amount": {"amount": amount, "currency": "EUR"}}


async def post(client: httpx.AsyncClient, headers: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_the_view_shows_open_cases_with_age_pending_recommendations_and_open_escalations(
    client: httpx.AsyncClient, collector: dict[str, str], manager: dict[str, str], book: Book
) -> None:
    entity = f"V{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    customer_id = await book.account(entity=entity, portfolio_id=portfolio)
    first, second, third = [
        await book.invoice(customer_id, due=D - timedelta(days=days), amount=amount, entity=entity)
        for days, amount in ((40, "500.00"), (20, "200.00"), (10, "300.00"))
    ]
    disputes = f"/v1/accounts/{customer_id}/disputes"
    oldest = await post(
        client, collector, disputes, {"items": [item(first, "120.00")], "reason_code": "pricing"}
    )
    await book.business_date(entity, D + timedelta(days=5))
    invalid = await post(
        client, collector, disputes, {"items": [item(second, "200.00")], "reason_code": "quality"}
    )
    valid = await post(
        client, collector, disputes, {"items": [item(third, "50.00")], "reason_code": "damaged"}
    )
    for case, status in ((invalid, "resolved_invalid"), (valid, "resolved_valid")):
        body = {"status": status, "root_cause_code": "billing_error"}
        await post(client, manager, f"/v1/disputes/{case['id']}/status", body)

    recommendations = f"/v1/accounts/{customer_id}/recommendations"
    write_off = {
        "kind": "write_off",
        "invoice_id": str(first),
        "amount": {"amount": "10.00", "currency": "EUR"},
    }
    pending = await post(client, collector, recommendations, {**write_off, "reason_code": "uncollectable"})
    rejected = await post(
        client, collector, recommendations, {"kind": "suspension", "reason_code": "no_payment"}
    )
    await post(client, manager, f"/v1/recommendations/{rejected['id']}/decision", {"decision": "reject"})

    escalations = f"/v1/accounts/{customer_id}/escalations"
    open_escalation = await post(client, collector, escalations, {"reason": "customer stopped answering"})
    resolved = await post(client, collector, escalations, {"reason": "asks for a discount"})
    await post(client, manager, f"/v1/escalations/{resolved['id']}/resolution", {"outcome": "refused"})

    await book.business_date(entity, D + timedelta(days=12))
    response = await client.get(f"/v1/accounts/{customer_id}", headers=collector)
    assert response.status_code == 200, response.text
    view = response.json()
    assert [
        (d["id"], d["status"], d["amount"]["amount"], d["invoice_ids"], d["opened_on"], d["age_days"])
        for d in view["open_disputes"]
    ] == [
        (oldest["id"], "open", "120.00", [str(first)], str(D), 12),
        (valid["id"], "resolved_valid", "50.00", [str(third)], str(D + timedelta(days=5)), 7),
    ]
    assert view["open_disputes"][0]["overdue"] is False  # due 30 days after it opened
    assert [r["id"] for r in view["pending_recommendations"]] == [pending["id"]]
    assert view["pending_recommendations"][0]["amount"] == {"amount": "10.00", "currency": "EUR"}
    assert [e["id"] for e in view["open_escalations"]] == [open_escalation["id"]]

    # the worklist weighs the oldest open case: 12 days x 0.2
    worklist = await client.get("/v1/worklist", headers=collector)
    (row,) = [i for i in worklist.json()["items"] if i["customer_id"] == str(customer_id)]
    parts = {p["part"]: (p["weight"], p["value"], p["points"]) for p in row["score_parts"]}
    assert parts["dispute_age"] == ("0.2", "12", "2.40")


async def test_an_account_without_cases_shows_none_and_scores_no_dispute_age(
    client: httpx.AsyncClient, collector: dict[str, str], book: Book
) -> None:
    entity = f"V{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    customer_id = await book.account(entity=entity, portfolio_id=portfolio)
    await book.invoice(customer_id, due=D - timedelta(days=30), amount="100.00", entity=entity)
    view = (await client.get(f"/v1/accounts/{customer_id}", headers=collector)).json()
    assert (view["open_disputes"], view["pending_recommendations"], view["open_escalations"]) == ([], [], [])
    worklist = await client.get("/v1/worklist", headers=collector)
    (row,) = [i for i in worklist.json()["items"] if i["customer_id"] == str(customer_id)]
    assert {p["part"]: p["value"] for p in row["score_parts"]}["dispute_age"] == "0"


async def test_a_withdrawn_case_no_longer_ages_the_account(
    client: httpx.AsyncClient, collector: dict[str, str], book: Book
) -> None:
    entity = f"V{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    customer_id = await book.account(entity=entity, portfolio_id=portfolio)
    first, second = [
        await book.invoice(customer_id, due=D - timedelta(days=30), amount="100.00", entity=entity)
        for _ in range(2)
    ]
    disputes = f"/v1/accounts/{customer_id}/disputes"
    withdrawn = await post(
        client, collector, disputes, {"items": [item(first, "100.00")], "reason_code": "pricing"}
    )
    await book.business_date(entity, D + timedelta(days=5))
    younger = await post(
        client, collector, disputes, {"items": [item(second, "30.00")], "reason_code": "pricing"}
    )
    await post(client, collector, f"/v1/disputes/{withdrawn['id']}/status", {"status": "withdrawn"})
    await book.business_date(entity, D + timedelta(days=12))

    view = (await client.get(f"/v1/accounts/{customer_id}", headers=collector)).json()
    assert [(d["id"], d["age_days"]) for d in view["open_disputes"]] == [(younger["id"], 7)]
    worklist = await client.get("/v1/worklist", headers=collector)
    (row,) = [i for i in worklist.json()["items"] if i["customer_id"] == str(customer_id)]
    assert {p["part"]: p["value"] for p in row["score_parts"]}["dispute_age"] == "7"
