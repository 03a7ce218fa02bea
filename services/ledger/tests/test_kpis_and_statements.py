"""DSO (both methods), ADD, CEI and statements on a worked two-customer quarter.

Customer KA: Dec 15 invoice 1,000 (paid Jan 20); Jan 10 invoice 2,000 (paid Mar 10);
Feb 15 invoice 3,000 (due Mar 17, open); Mar 20 invoice 4,000 (due Apr 19, open).
Customer KB: Jan 5 invoice 1,000 (due Feb 4, open).
Quarter Jan 1 - Mar 31, 90 days: credit sales 10,000 (Jan 3,000, Feb 3,000, Mar 4,000);
AR Dec 31 1,000; AR Mar 31 8,000 of which current 4,000.
DSO 8,000 / 10,000 x 90 = 72.00; count-back 31 (Mar) + 28 (Feb) + 1,000 / 3,000 x 31 = 69.33;
best possible 4,000 / 10,000 x 90 = 36.00; ADD 36.00; CEI (1,000 + 10,000 - 8,000) /
(1,000 + 10,000 - 4,000) = 42.86 %. KA alone: DSO 70.00, best 40.00, ADD 30.00, CEI 50.00 %.
March alone: sales 4,000 against AR 8,000: count-back walks back into February (3,000) and
January (3,000): 31 + 28 + 1,000 / 3,000 x 31 = 69.33, not empty.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def quarter(client: httpx.AsyncClient, writer: dict[str, str]) -> dict[str, str]:
    ids = {}
    for external_id in ("KA", "KB"):
        body = {"name": external_id, "currency": "EUR", "payment_terms_days": 30, "business_entity": "KPI"}
        body["sales_rep"] = f"rep-of-{external_id}@example.com"
        ids[external_id] = (
            await client.put(f"/v1/customers/external/{external_id}", json=body, headers=writer)
        ).json()["id"]

    async def invoice(customer: str, number: str, issued: str, amount: str) -> dict[str, Any]:
        body = {
            "customer_external_id": customer,
            "invoice_number": number,
            "issue_date": issued,
            "amount": eur(amount),
        }
        response = await client.post("/v1/invoices", json=body, headers=writer)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def pay(customer: str, on: str, invoice: dict[str, Any], amount: str) -> None:
        body = {
            "customer_external_id": customer,
            "amount": eur(amount),
            "received_on": on,
            "allocations": [{"invoice_id": invoice["id"], "amount": eur(amount)}],
        }
        assert (await client.post("/v1/payments", json=body, headers=writer)).status_code == 201

    december = await invoice("KA", "K-1", "2025-12-15", "1000.00")
    january = await invoice("KA", "K-2", "2026-01-10", "2000.00")
    await invoice("KA", "K-3", "2026-02-15", "3000.00")
    await invoice("KA", "K-4", "2026-03-20", "4000.00")
    await invoice("KB", "K-5", "2026-01-05", "1000.00")
    await pay("KA", "2026-01-20", december, "1000.00")
    await pay("KA", "2026-03-10", january, "2000.00")
    return ids


async def kpis(client: httpx.AsyncClient, headers: dict[str, str], **scope: str) -> dict[str, Any]:
    params = {"period_start": "2026-01-01", "period_end": "2026-03-31"} | scope
    response = await client.get("/v1/reports/kpis", params=params, headers=headers)
    assert response.status_code == 200, response.text
    [line] = response.json()["lines"]
    return dict(line)


async def test_dso_add_and_cei_for_the_entity_and_for_one_customer(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    ids = await quarter(client, writer)
    entity = await kpis(client, writer, business_entity="KPI")
    parts = ("credit_sales", "beginning_ar", "ending_ar", "ending_current_ar")
    assert [entity[p] for p in parts] == ["10000.00", "1000.00", "8000.00", "4000.00"]
    assert entity["dso"] == "72.00"
    assert entity["dso_count_back"] == "69.33"
    assert entity["best_possible_dso"] == "36.00"
    assert entity["average_days_delinquent"] == "36.00"
    assert entity["cei_percent"] == "42.86"

    one = await kpis(client, writer, customer_id=ids["KA"])
    kpi_names = ("dso", "best_possible_dso", "average_days_delinquent", "cei_percent")
    assert [one[k] for k in kpi_names] == ["70.00", "40.00", "30.00", "50.00"]
    assert await kpis(client, writer, customer_external_id="KA") == one
    assert await kpis(client, writer, sales_rep="rep-of-KA@example.com") == one


async def test_count_back_over_one_month_walks_back_into_earlier_months(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await quarter(client, writer)
    response = await client.get(
        "/v1/reports/kpis",
        params={"period_start": "2026-03-01", "period_end": "2026-03-31", "business_entity": "KPI"},
        headers=writer,
    )
    assert response.status_code == 200, response.text
    [march] = response.json()["lines"]
    assert (march["credit_sales"], march["ending_ar"]) == ("4000.00", "8000.00")
    assert march["dso"] == "62.00"  # 8,000 / 4,000 x 31
    assert march["dso_count_back"] == "69.33"  # 31 + 28 + 1,000 / 3,000 x 31


async def test_a_report_for_an_erp_id_no_customer_has_is_a_404_not_zeros(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    period = {"period_start": "2026-01-01", "period_end": "2026-03-31"}
    response = await client.get(
        "/v1/reports/kpis", params=period | {"customer_external_id": "NOBODY"}, headers=writer
    )
    assert response.status_code == 404
    assert response.json()["code"] == "customer_not_found"
    both = period | {"customer_external_id": "KA", "customer_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10"}
    response = await client.get("/v1/reports/kpis", params=both, headers=writer)
    assert (response.status_code, response.json()["code"]) == (400, "conflicting_customer_filters")


async def test_statement_shows_opening_movements_and_closing(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    ids = await quarter(client, writer)
    response = await client.get(
        f"/v1/reports/statements/{ids['KA']}",
        params={"period_start": "2026-03-01", "period_end": "2026-03-31"},
        headers=writer,
    )
    assert response.status_code == 200, response.text
    statement = response.json()
    assert statement["opening_balance"] == "5000.00"
    assert [(line["date"], line["kind"], line["amount"], line["balance"]) for line in statement["lines"]] == [
        ("2026-03-10", "payment_received", "-2000.00", "3000.00"),
        ("2026-03-20", "invoice_issued", "4000.00", "7000.00"),
    ]
    assert statement["closing_balance"] == "7000.00"


async def test_periods_must_not_end_before_they_start(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    response = await client.get(
        "/v1/reports/kpis", params={"period_start": "2026-03-31", "period_end": "2026-01-01"}, headers=writer
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_period"
