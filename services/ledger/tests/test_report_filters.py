"""Lists and reports narrowed by customer (ledger id or ERP id), business entity and sales rep;
comparative aging with the change per bucket between consecutive dates."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def book(client: httpx.AsyncClient, writer: dict[str, str]) -> dict[str, str]:
    """Two customers of entity CMP (reps ann and bob) and one of entity OTHER (rep ann).

    CA: invoice 1,000 due 2026-01-31, invoice 500 due 2026-02-20; paid 400 on 2026-03-05.
    CB: invoice 2,000 due 2026-02-15.  CX: invoice 9,000 due 2026-01-31.
    """
    ids = {}
    for external_id, entity, rep in (("CA", "CMP", "ann"), ("CB", "CMP", "bob"), ("CX", "OTHER", "ann")):
        body = {"name": external_id, "currency": "EUR", "payment_terms_days": 30, "business_entity": entity}
        body["sales_rep"] = f"{rep}@example.com"
        response = await client.put(f"/v1/customers/external/{external_id}", json=body, headers=writer)
        ids[external_id] = response.json()["id"]

    async def invoice(customer: str, number: str, due: str, amount: str) -> str:
        body = {
            "customer_external_id": customer,
            "invoice_number": number,
            "issue_date": "2026-01-01",
            "due_date": due,
            "amount": eur(amount),
        }
        response = await client.post("/v1/invoices", json=body, headers=writer)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    ids["CA-1"] = await invoice("CA", "CMP-1", "2026-01-31", "1000.00")
    await invoice("CA", "CMP-2", "2026-02-20", "500.00")
    await invoice("CB", "CMP-3", "2026-02-15", "2000.00")
    await invoice("CX", "OTH-1", "2026-01-31", "9000.00")
    payment = {
        "customer_external_id": "CA",
        "amount": eur("400.00"),
        "received_on": "2026-03-05",
        "allocations": [{"invoice_id": ids["CA-1"], "amount": eur("400.00")}],
    }
    assert (await client.post("/v1/payments", json=payment, headers=writer)).status_code == 201
    return ids


async def get(client: httpx.AsyncClient, headers: dict[str, str], url: str, params: Any) -> dict[str, Any]:
    response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


COMPARATIVE = "/v1/reports/aging/comparative"
DATES = [("as_of", "2026-02-01"), ("as_of", "2026-03-10")]


async def test_comparative_aging_for_one_customer_by_erp_id_with_the_change_per_bucket(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    ids = await book(client, writer)
    report = await get(client, reader, COMPARATIVE, [*DATES, ("customer_external_id", "CA")])
    assert report["scope"] == f"customer:{ids['CA']}"
    first, second = ([t["buckets"], t["total"]] for r in report["reports"] for t in r["totals"])
    # on Feb 1: 1,000 is one day late, 500 current; on Mar 10: 600 is 38 days late, 500 is 18
    assert first == [{"current": "500.00", "1-30": "1000.00", "31-60": "0.00", "61-90": "0.00",
                      "91-120": "0.00", "121+": "0.00"}, "1500.00"]  # fmt: skip
    assert (second[0]["1-30"], second[0]["31-60"], second[1]) == ("500.00", "600.00", "1100.00")
    [delta] = report["deltas"]
    assert (delta["from_as_of"], delta["to_as_of"], delta["currency"]) == ("2026-02-01", "2026-03-10", "EUR")
    assert delta["buckets"]["current"] == {"amount": "-500.00", "percent": "-100.0"}
    assert delta["buckets"]["1-30"] == {"amount": "-500.00", "percent": "-50.0"}
    assert delta["buckets"]["31-60"] == {"amount": "600.00", "percent": None}  # from zero: no %
    assert delta["total"] == {"amount": "-400.00", "percent": "-26.7"}
    assert delta["net"] == {"amount": "-400.00", "percent": "-26.7"}
    by_id = await get(client, reader, COMPARATIVE, [*DATES, ("customer_id", ids["CA"])])
    assert by_id == report


async def test_comparative_aging_per_entity_and_per_sales_rep(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    await book(client, writer)

    async def totals(*scope: tuple[str, str]) -> list[str]:
        report = await get(client, reader, COMPARATIVE, [*DATES, *scope])
        return [t["total"] for r in report["reports"] for t in r["totals"]]

    assert await totals(("business_entity", "CMP")) == ["3500.00", "3100.00"]
    assert await totals(("sales_rep", "ann@example.com"), ("business_entity", "CMP")) == [
        "1500.00",
        "1100.00",
    ]
    assert await totals(("sales_rep", "bob@example.com")) == ["2000.00", "2000.00"]


async def test_aging_open_items_and_lists_take_the_erp_id(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    ids = await book(client, writer)
    aging = await get(
        client, reader, "/v1/reports/aging", {"as_of": "2026-03-10", "customer_external_id": "CB"}
    )
    assert [(r["external_id"], r["total"]) for r in aging["rows"]] == [("CB", "2000.00")]
    by_rep = await get(
        client, reader, "/v1/reports/aging", {"as_of": "2026-03-10", "sales_rep": "ann@example.com"}
    )
    assert [(r["external_id"], r["total"]) for r in by_rep["rows"]] == [("CA", "1100.00"), ("CX", "9000.00")]
    items = await get(
        client, reader, "/v1/reports/open-items", {"as_of": "2026-03-10", "customer_external_id": "CA"}
    )
    assert [i["open_balance"] for i in items["items"]] == ["600.00", "500.00"]
    invoices = await get(client, reader, "/v1/invoices", {"customer_external_id": "CA"})
    assert [i["customer_id"] for i in invoices["items"]] == [ids["CA"], ids["CA"]]
    payments = await get(client, reader, "/v1/payments", {"customer_external_id": "CA"})
    assert [p["amount"]["amount"] for p in payments["items"]] == ["400.00"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/v1/invoices", []),
        ("/v1/payments", []),
        ("/v1/reports/open-items", [("as_of", "2026-03-10")]),
        ("/v1/reports/aging", [("as_of", "2026-03-10")]),
        ("/v1/reports/kpis", [("period_start", "2026-01-01"), ("period_end", "2026-03-31")]),
        (COMPARATIVE, DATES),
    ],
)
async def test_a_filter_naming_no_customer_is_a_404(
    client: httpx.AsyncClient, reader: dict[str, str], url: str, params: list[tuple[str, str]]
) -> None:
    response = await client.get(url, params=[*params, ("customer_external_id", "NOBODY")], headers=reader)
    assert (response.status_code, response.json()["code"]) == (404, "customer_not_found")
