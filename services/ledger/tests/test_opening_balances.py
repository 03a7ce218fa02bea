"""Starting from the ERP: its open items loaded as opening balances, all or nothing, once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

SAP_CSV = """Customer\tDocument Number\tDocument Date\tNet due date\tAmount in doc. curr.\tDocument currency
O1\t1001\t01.10.2025\t31.10.2025\t500.00\tEUR
O1\t1002\t15.11.2025\t15.12.2025\t1,250.00\tEUR
O1\tCM-9\t20.11.2025\t20.11.2025\t40.00-\tEUR
O2\t2001\t01.12.2025\t31.12.2025\t1,000.00\tEUR
"""


async def customers(client: httpx.AsyncClient, writer: dict[str, str]) -> dict[str, str]:
    ids = {}
    for external_id in ("O1", "O2"):
        body = {"name": f"Opening {external_id}", "currency": "EUR", "payment_terms_days": 30}
        body["business_entity"] = "OB"
        response = await client.put(f"/v1/customers/external/{external_id}", json=body, headers=writer)
        ids[external_id] = response.json()["id"]
    return ids


async def load(
    client: httpx.AsyncClient, writer: dict[str, str], content: str, key: str | None = None
) -> httpx.Response:
    return await client.post(
        "/v1/opening-balances",
        params={"mapping": "sap_line_items"},
        content=content.encode(),
        headers=writer | {"Content-Type": "text/csv", "Idempotency-Key": key or str(uuid.uuid4())},
    )


async def get(client: httpx.AsyncClient, headers: dict[str, str], url: str, **params: str) -> dict[str, Any]:
    response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_erps_open_items_become_the_ledgers_book_with_their_own_dates(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    ids = await customers(client, writer)
    response = await load(client, writer, SAP_CSV)
    assert response.status_code == 200, response.text
    loaded = response.json()
    assert (loaded["invoices_posted"], loaded["credits_posted"], loaded["already_loaded"]) == (3, 1, 0)
    assert loaded["totals"] == [{"currency": "EUR", "invoices": "2750.00", "credits": "40.00"}]

    first = await get(client, writer, f"/v1/invoices/{loaded['invoice_ids'][0]}", as_of="2026-01-15")
    assert (first["invoice_number"], first["issue_date"], first["due_date"]) == (
        "1001",
        "2025-10-01",
        "2025-10-31",
    )
    assert (first["open_balance"]["amount"], first["days_past_due"]) == ("500.00", 76)
    aging = await get(client, writer, "/v1/reports/aging", as_of="2026-01-15", customer_external_id="O1")
    [o1] = aging["rows"]
    assert (o1["buckets"]["31-60"], o1["buckets"]["61-90"], o1["unapplied_credits"], o1["net"]) == (
        "1250.00", "500.00", "40.00", "1710.00",
    )  # fmt: skip
    statement = await get(
        client,
        writer,
        f"/v1/reports/statements/{ids['O1']}",
        period_start="2025-01-01",
        period_end="2025-12-31",
    )
    assert [(line["kind"], line["amount"]) for line in statement["lines"]] == [
        ("invoice_opened", "500.00"),
        ("invoice_opened", "1250.00"),
        ("credit_opened", "-40.00"),
    ]
    # what was loaded reconciles with the file it came from, item for item
    reconciled = await client.post(
        "/v1/reconciliations",
        params={"as_of": "2026-01-15", "mapping": "sap_line_items", "business_entity": "OB"},
        content=SAP_CSV.encode(),
        headers=writer | {"Content-Type": "text/csv"},
    )
    [total] = reconciled.json()["totals"]
    assert (total["matched"]["count"], total["difference"]) == (4, "0.00")


async def test_loading_the_same_file_again_posts_nothing_twice(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await customers(client, writer)
    first = await load(client, writer, SAP_CSV, key="opening-1")
    replay = await load(client, writer, SAP_CSV, key="opening-1")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    again = (await load(client, writer, SAP_CSV)).json()  # another key, the same file
    assert (again["invoices_posted"], again["credits_posted"], again["already_loaded"]) == (0, 0, 4)
    invoices = await get(client, writer, "/v1/invoices", customer_external_id="O1")
    assert sorted(i["invoice_number"] for i in invoices["items"]) == ["1001", "1002"]


async def test_a_file_with_any_item_that_cannot_be_posted_posts_nothing(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await customers(client, writer)
    assert (await load(client, writer, SAP_CSV)).status_code == 200
    bad = SAP_CSV.replace("O2\t2001", "O7\t2001").replace("1,250.00\tEUR", "1,250.00\tUSD")
    bad += "O1\t1001\t01.10.2025\t31.10.2025\t999.00\tEUR\n"  # taken by another amount
    bad += "O2\t2002\t01.12.2025\t30.11.2025\t10.00\tEUR\n"  # due before its date
    bad += "O2\t2003\t01.12.2025\t31.12.2025\t10.00\tEUR\n"  # would be fine on its own
    response = await load(client, writer, bad)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_file_rows"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("rows.3.currency", "currency_mismatch"),
        ("rows.5.customer", "customer_not_found"),
        ("rows.6.document_number", "duplicate_document"),
        ("rows.7.due_date", "due_before_issue"),
    ]
    invoices = await get(client, writer, "/v1/invoices", customer_external_id="O2")
    assert [i["invoice_number"] for i in invoices["items"]] == ["2001"]


async def test_a_number_posted_with_other_values_is_refused(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await customers(client, writer)
    assert (await load(client, writer, SAP_CSV)).status_code == 200
    changed = SAP_CSV.replace("500.00", "501.00")
    response = await load(client, writer, changed)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("rows.2.document_number", "duplicate_invoice_number")
    ]
