"""A zero or negative amount is refused on the amount field itself, on every document route."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from ar_shared.clock import Clock

pytestmark = pytest.mark.integration


def cases(customer: str, invoice: str, payment: str, today: str) -> list[tuple[str, dict[str, Any], str]]:
    """(url, body, field) of each route, with the amount at `field` left for the test to fill."""
    return [
        ("/v1/invoices", {"customer_id": customer, "invoice_number": "P-2", "issue_date": today}, "amount"),
        (
            "/v1/invoices/bulk",
            {"items": [{"customer_id": customer, "invoice_number": "P-3", "issue_date": today}]},
            "items.0.amount",
        ),
        ("/v1/payments", {"customer_id": customer, "received_on": today}, "amount"),
        (
            "/v1/payments",
            {
                "customer_id": customer,
                "received_on": today,
                "amount": {"amount": "5.00", "currency": "EUR"},
                "allocations": [{"invoice_id": invoice}],
            },
            "allocations.0.amount",
        ),
        (
            f"/v1/payments/{payment}/applications",
            {"effective_date": today, "allocations": [{"invoice_id": invoice}]},
            "allocations.0.amount",
        ),
        ("/v1/credit-memos", {"customer_id": customer, "memo_number": "PM-1", "issue_date": today}, "amount"),
        (
            "/v1/write-offs",
            {"invoice_id": invoice, "reason_code": "goodwill", "effective_date": today},
            "amount",
        ),
    ]


def put(body: dict[str, Any], field: str, amount: str) -> dict[str, Any]:
    """`body` with the money amount at the dotted `field` (an index names a list element)."""
    body = {k: ([dict(i) for i in v] if isinstance(v, list) else v) for k, v in body.items()}
    *parents, last = field.split(".")
    target: Any = body
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = {"amount": amount, "currency": "EUR"}
    return body


@pytest.mark.parametrize("amount", ["0.00", "0", "-10.00"])
async def test_a_zero_or_negative_amount_is_amount_not_positive_on_the_amount_field(
    client: httpx.AsyncClient, writer: dict[str, str], clock: Clock, amount: str
) -> None:
    today = clock.now().date().isoformat()
    body = {"name": "Positive", "currency": "EUR", "payment_terms_days": 30, "business_entity": "POS"}
    customer = (await client.put("/v1/customers/external/P-1", json=body, headers=writer)).json()["id"]
    invoice = {"customer_id": customer, "invoice_number": "P-1", "issue_date": today}
    invoice |= {"amount": {"amount": "100.00", "currency": "EUR"}}
    invoice_id = (await client.post("/v1/invoices", json=invoice, headers=writer)).json()["id"]
    payment = {"customer_id": customer, "received_on": today, "allocations": []}
    payment |= {"amount": {"amount": "10.00", "currency": "EUR"}}
    payment_id = (await client.post("/v1/payments", json=payment, headers=writer)).json()["id"]

    answers = []
    for url, template, field in cases(customer, invoice_id, payment_id, today):
        headers = writer | {"Idempotency-Key": str(uuid.uuid4())}
        response = await client.post(url, json=put(template, field, amount), headers=headers)
        problem = response.json()
        answers.append((url, response.status_code, problem.get("errors")))
    expected = [
        (
            url,
            422,
            [{"field": field, "message": "the amount must be more than zero", "code": "amount_not_positive"}],
        )
        for url, _, field in cases(customer, invoice_id, payment_id, today)
    ]
    assert answers == expected


async def test_the_document_states_amounts_of_documents_are_more_than_zero(client: httpx.AsyncClient) -> None:
    openapi = (await client.get("/openapi.json")).json()
    schema = openapi["components"]["schemas"]["PositiveMoneyAmount"]
    pattern = schema["properties"]["amount"]["pattern"]
    invoice = openapi["components"]["schemas"]["InvoiceCreate"]["properties"]["amount"]
    assert invoice == {"$ref": "#/components/schemas/PositiveMoneyAmount"}

    assert [bool(re.fullmatch(pattern, a)) for a in ("0.01", "10", "1.50", "0", "0.00", "-1.00")] == [
        True, True, True, False, False, False,
    ]  # fmt: skip
