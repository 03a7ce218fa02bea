"""Aging and open items as of any date: buckets, basis, later movements ignored, exports."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.integration

AS_OF = date(2026, 11, 24)


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def setup_customer(client: httpx.AsyncClient, writer: dict[str, str], external_id: str = "AG-1") -> str:
    body = {
        "name": f"Aging {external_id}",
        "currency": "EUR",
        "payment_terms_days": 30,
        "business_entity": "AG",
    }
    return str(
        (await client.put(f"/v1/customers/external/{external_id}", json=body, headers=writer)).json()["id"]
    )


async def issue(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    number: str,
    amount: str,
    due: date,
    customer: str = "AG-1",
) -> dict[str, Any]:
    body = {
        "customer_external_id": customer,
        "invoice_number": number,
        "issue_date": (due - timedelta(days=30)).isoformat(),
        "due_date": due.isoformat(),
        "amount": eur(amount),
    }
    response = await client.post("/v1/invoices", json=body, headers=writer)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def aging(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get(
        "/v1/reports/aging", params={"business_entity": "AG"} | params, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_bucket_edges_at_every_boundary(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    await setup_customer(client, writer)
    for days in (0, 1, 30, 31, 60, 61, 90, 91, 120, 121):
        await issue(client, writer, f"E-{days}", f"{days + 1}.00", AS_OF - timedelta(days=days))
    report = await aging(client, writer, as_of=AS_OF.isoformat(), group_by="total")
    [total] = report["totals"]
    assert total["buckets"] == {
        "current": "1.00",
        "1-30": "33.00",  # 2 + 31
        "31-60": "93.00",  # 32 + 61
        "61-90": "153.00",  # 62 + 91
        "91-120": "213.00",  # 92 + 121
        "121+": "122.00",
    }
    assert total["total"] == "615.00"
    assert total["items"] == 10
    assert sum(float(p) for p in total["percent"].values()) == pytest.approx(100.0, abs=0.3)


async def test_aging_as_of_a_past_date_ignores_later_movements(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    customer_id = await setup_customer(client, writer)
    inv = await issue(client, writer, "PAST-1", "1000.00", date(2026, 10, 1))
    await client.post(
        "/v1/payments",
        json={"customer_external_id": "AG-1", "amount": eur("400.00"), "received_on": "2026-11-15",
              "allocations": [{"invoice_id": inv["id"], "amount": eur("400.00")}]},
        headers=writer,
    )  # fmt: skip
    await client.post(
        "/v1/payments",
        json={
            "customer_external_id": "AG-1",
            "amount": eur("50.00"),
            "received_on": "2026-11-20",
            "allocations": [],
        },
        headers=writer,
    )
    await issue(client, writer, "PAST-2", "200.00", date(2026, 12, 20))  # issued 2026-11-20

    before = await aging(client, writer, as_of="2026-11-10")
    [row] = before["rows"]
    assert row["customer_id"] == customer_id
    assert row["buckets"]["31-60"] == "1000.00"  # 40 days past due on Nov 10
    assert row["total"] == "1000.00"
    assert row["unapplied_cash"] == "0.00"

    after = await aging(client, writer, as_of="2026-11-24")
    [row] = after["rows"]
    assert row["buckets"]["31-60"] == "600.00"  # 54 days
    assert row["buckets"]["current"] == "200.00"
    assert row["unapplied_cash"] == "50.00"  # shown apart from the buckets
    assert row["net"] == "750.00"


async def test_invoice_date_basis_and_open_items(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    customer_id = await setup_customer(client, writer)
    await issue(
        client, writer, "B-1", "100.00", date(2026, 11, 30)
    )  # issued Oct 31: 24 days old, not yet due
    by_invoice_date = await aging(
        client, writer, as_of=AS_OF.isoformat(), basis="invoice_date", group_by="total"
    )
    assert by_invoice_date["totals"][0]["buckets"]["1-30"] == "100.00"
    by_due_date = await aging(client, writer, as_of=AS_OF.isoformat(), group_by="total")
    assert by_due_date["totals"][0]["buckets"]["current"] == "100.00"

    items = (
        await client.get(
            "/v1/reports/open-items",
            params={"as_of": AS_OF.isoformat(), "customer_id": customer_id},
            headers=writer,
        )
    ).json()
    assert [(i["invoice_number"], i["days_past_due"], i["bucket"]) for i in items["items"]] == [
        ("B-1", 0, "current")
    ]
    assert items["totals"] == {"EUR": "100.00"}


async def test_comparative_aging_puts_dates_side_by_side(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await setup_customer(client, writer)
    await issue(client, writer, "C-1", "300.00", date(2026, 10, 15))
    response = await client.get(
        "/v1/reports/aging/comparative",
        params=[("as_of", "2026-10-31"), ("as_of", "2026-11-30"), ("business_entity", "AG")],
        headers=writer,
    )
    assert response.status_code == 200, response.text
    reports = response.json()["reports"]
    assert [r["as_of"] for r in reports] == ["2026-10-31", "2026-11-30"]
    assert reports[0]["totals"][0]["buckets"]["1-30"] == "300.00"
    assert reports[1]["totals"][0]["buckets"]["31-60"] == "300.00"
    assert reports[1]["totals"][0]["percent"]["31-60"] == "100.0"


async def test_aging_downloads_as_csv_and_xlsx(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    await setup_customer(client, writer)
    await issue(client, writer, "X-1", "42.50", date(2026, 11, 1))
    csv_response = await client.get(
        "/v1/reports/aging",
        params={"as_of": AS_OF.isoformat(), "business_entity": "AG", "format": "csv"},
        headers=writer,
    )
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.text)))
    assert rows[1][:4] == ["external_id", "name", "currency", "current"]
    assert rows[2][0] == "AG-1"
    assert rows[2][rows[1].index("1-30")] == "42.50"
    xlsx = await client.get(
        "/v1/reports/aging",
        params={"as_of": AS_OF.isoformat(), "business_entity": "AG", "format": "xlsx"},
        headers=writer,
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][3] == "current"
    assert values[2][values[1].index("1-30")] == Decimal("42.5")


async def test_bad_edges_are_a_problem(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    response = await client.get(
        "/v1/reports/aging", params={"as_of": AS_OF.isoformat(), "edges": "60,30"}, headers=writer
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_bucket_edges"


async def test_the_incremental_fast_path_agrees_with_the_as_of_computation(
    client: httpx.AsyncClient, ledger_app: Any, writer: dict[str, str]
) -> None:
    from ar_ledger.filters import ResolvedScope
    from ar_ledger.reports.repository import ReportRepository

    await setup_customer(client, writer)
    inv = await issue(client, writer, "F-1", "500.00", date(2026, 10, 1))
    await issue(client, writer, "F-2", "250.00", date(2026, 11, 10))
    await client.post(
        "/v1/payments",
        json={"customer_external_id": "AG-1", "amount": eur("700.00"), "received_on": "2026-11-01",
              "allocations": [{"invoice_id": inv["id"], "amount": eur("300.00")}]},
        headers=writer,
    )  # fmt: skip
    far = date(2030, 1, 1)
    async with ledger_app.state.sessionmaker() as session:
        fast, full = ReportRepository(session), ReportRepository(session, fast_path=False)
        assert await fast.is_current(far)
        edges = (30, 60, 90, 120)
        scope = ResolvedScope(business_entity="AG")
        cells = sorted(await fast.aging(far, edges, scope, basis="due_date"), key=str)
        assert cells == sorted(await full.aging(far, edges, scope, basis="due_date"), key=str)
        page: dict[str, Any] = {"basis": "due_date", "order": "name", "after": None, "limit": None}
        rows = await fast.aging_by_customer(far, edges, scope, **page)
        assert rows == await full.aging_by_customer(far, edges, scope, **page)
        assert [(r.total_minor, r.cash_minor) for r in rows] == [(45000, 40000)]
        assert sorted(await fast.unapplied(far), key=str) == sorted(await full.unapplied(far), key=str)
        assert not await fast.is_current(date(2026, 10, 15))


async def test_customer_rows_come_a_page_at_a_time_with_totals_over_everyone(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    # four customers: open totals 100, 400, 300 and a customer with only unapplied cash (50)
    for external_id, amount in (("AG-A", "100.00"), ("AG-B", "400.00"), ("AG-C", "300.00")):
        await setup_customer(client, writer, external_id)
        await issue(client, writer, f"P-{external_id}", amount, AS_OF - timedelta(days=10), external_id)
    await setup_customer(client, writer, "AG-D")
    paid = await client.post(
        "/v1/payments",
        json={"customer_external_id": "AG-D", "amount": eur("50.00"), "received_on": "2026-11-01"},
        headers=writer,
    )
    assert paid.status_code == 201, paid.text

    seen, cursor = [], None
    for _ in range(4):
        params: dict[str, Any] = {"as_of": AS_OF.isoformat(), "limit": 3}
        report = await aging(client, reader, **params, **({"cursor": cursor} if cursor else {}))
        seen += [(r["external_id"], r["total"], r["unapplied_cash"]) for r in report["rows"]]
        [total] = report["totals"]  # every page carries the totals of everyone in scope
        assert (total["total"], total["unapplied_cash"], total["net"]) == ("800.00", "50.00", "750.00")
        cursor = report["next_cursor"]
        if cursor is None:
            break
    assert seen == [
        ("AG-A", "100.00", "0.00"),
        ("AG-B", "400.00", "0.00"),
        ("AG-C", "300.00", "0.00"),
        ("AG-D", "0.00", "50.00"),
    ]

    biggest_first = await aging(client, reader, as_of=AS_OF.isoformat(), sort="total_desc", limit=2)
    assert [r["external_id"] for r in biggest_first["rows"]] == ["AG-B", "AG-C"]
    rest = await aging(
        client,
        reader,
        as_of=AS_OF.isoformat(),
        sort="total_desc",
        limit=2,
        cursor=biggest_first["next_cursor"],
    )
    assert [r["external_id"] for r in rest["rows"]] == ["AG-A", "AG-D"]
    assert rest["next_cursor"] is None

    # an export ignores paging: every customer is in the file
    response = await client.get(
        "/v1/reports/aging",
        params={"business_entity": "AG", "as_of": AS_OF.isoformat(), "limit": 1, "format": "csv"},
        headers=reader,
    )
    lines = list(csv.reader(io.StringIO(response.text)))
    assert [line[0] for line in lines[2:]] == ["AG-A", "AG-B", "AG-C", "AG-D", ""]


async def test_a_cursor_the_api_did_not_issue_is_refused(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    response = await client.get(
        "/v1/reports/aging",
        params={"as_of": AS_OF.isoformat(), "sort": "total_desc", "cursor": "bm90LWEtY3Vyc29y"},
        headers=reader,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"
