"""The largest amounts the API accepts pass through every report; sums past BIGINT are exact."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import select

from ar_ledger.models import plumbing
from ar_shared.clock import Clock
from ar_shared.events.ledger import AccountPastDue
from ar_shared.money import MAX_AMOUNT_MINOR, MAX_MINOR, Money
from ar_shared.pagination import decode_cursor

pytestmark = pytest.mark.integration

LARGEST = str(Money(MAX_AMOUNT_MINOR, "EUR"))  # 9999999999999.99
# as many largest invoices as one customer's BIGINT balance holds
FITS_ONE_CUSTOMER = MAX_MINOR // MAX_AMOUNT_MINOR


def eur(minor: int) -> str:
    return str(Money(minor, "EUR"))


def times_largest(n: int) -> str:
    return eur(n * MAX_AMOUNT_MINOR)


def largest_invoice(customer: str, number: str, issued: str) -> dict[str, Any]:
    return {
        "customer_external_id": customer,
        "invoice_number": number,
        "issue_date": issued,
        "amount": {"amount": LARGEST, "currency": "EUR"},
    }


async def get(client: httpx.AsyncClient, headers: dict[str, str], url: str, **params: Any) -> httpx.Response:
    response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response


async def test_the_largest_amounts_pass_every_report_and_sums_past_bigint_stay_exact(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str], clock: Clock
) -> None:
    issued = clock.now().date() - timedelta(days=60)
    later = issued + timedelta(days=45)  # 15 days past due (terms 30)
    ids = {}
    for customer in ("MAX-A", "MAX-B"):
        body = {"name": customer, "currency": "EUR", "payment_terms_days": 30, "business_entity": "MAX"}
        response = await client.put(f"/v1/customers/external/{customer}", json=body, headers=writer)
        ids[customer] = response.json()["id"]
    # A gets all its balance holds, B one more: everyone's total passes BIGINT
    items = [largest_invoice("MAX-A", f"A-{n}", issued.isoformat()) for n in range(FITS_ONE_CUSTOMER)]
    items.append(largest_invoice("MAX-B", "B-1", issued.isoformat()))
    response = await client.post("/v1/invoices/bulk", json={"items": items}, headers=writer)
    assert response.status_code == 201, response.text
    everyone = FITS_ONE_CUSTOMER + 1
    assert everyone * MAX_AMOUNT_MINOR > MAX_MINOR
    the_day_after = (issued + timedelta(days=1)).isoformat()
    payment = {
        "customer_external_id": "MAX-B",
        "amount": {"amount": LARGEST, "currency": "EUR"},
        "received_on": the_day_after,
        "allocations": [],
    }
    assert (await client.post("/v1/payments", json=payment, headers=writer)).status_code == 201
    memo = {
        "customer_external_id": "MAX-B",
        "memo_number": "CM-MAX",
        "issue_date": the_day_after,
        "amount": {"amount": LARGEST, "currency": "EUR"},
    }
    assert (await client.post("/v1/credit-memos", json=memo, headers=writer)).status_code == 201

    # one more for A would pass what its balance holds: refused whole, not a 500 (one invoice is
    # written by one statement straight to asyncpg, a bulk through SQLAlchemy)
    one_too_many = largest_invoice("MAX-A", "A-ONE-TOO-MANY", issued.isoformat())
    for path, body in [("/v1/invoices", one_too_many), ("/v1/invoices/bulk", {"items": [one_too_many]})]:
        refused = await client.post(path, json=body, headers=writer)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "amount_out_of_range"
    listed = await get(client, writer, "/v1/invoices", customer_id=ids["MAX-A"], limit=1, status="open")
    assert listed.json()["items"][0]["amount"]["amount"] == LARGEST

    # aging now (nothing dated later: the running balances) and on the issue date (as of)
    now = (
        await get(client, writer, "/v1/reports/aging", as_of=later.isoformat(), business_entity="MAX")
    ).json()
    [total] = now["totals"]
    assert total["total"] == times_largest(everyone)
    assert total["buckets"]["1-30"] == times_largest(everyone)
    assert (total["unapplied_cash"], total["unapplied_credits"]) == (LARGEST, LARGEST)
    assert total["net"] == times_largest(everyone - 2)
    assert {row["external_id"]: row["total"] for row in now["rows"]} == {
        "MAX-A": times_largest(FITS_ONE_CUSTOMER),
        "MAX-B": LARGEST,
    }
    back_then = await get(
        client, writer, "/v1/reports/aging", as_of=issued.isoformat(), business_entity="MAX"
    )
    [total] = back_then.json()["totals"]
    assert total["buckets"]["current"] == times_largest(everyone)
    assert total["unapplied_cash"] == "0.00"

    # largest open total first, a page at a time: the cursor carries a total past any document
    first = await get(
        client, writer, "/v1/reports/aging", as_of=later.isoformat(), business_entity="MAX",
        sort="total_desc", limit=1,
    )  # fmt: skip
    assert [row["external_id"] for row in first.json()["rows"]] == ["MAX-A"]
    cursor = first.json()["next_cursor"]
    assert decode_cursor(cursor, int, str, str)[0] == FITS_ONE_CUSTOMER * MAX_AMOUNT_MINOR
    second = await get(
        client, writer, "/v1/reports/aging", as_of=later.isoformat(), business_entity="MAX",
        sort="total_desc", limit=1, cursor=cursor,
    )  # fmt: skip
    assert [row["external_id"] for row in second.json()["rows"]] == ["MAX-B"]

    exported = await get(
        client, writer, "/v1/reports/aging", as_of=later.isoformat(), business_entity="MAX", format="csv"
    )
    rows = {row[1]: row for row in csv.reader(io.StringIO(exported.text)) if len(row) > 9}
    assert (rows["MAX-A"][9], rows["MAX-B"][9]) == (times_largest(FITS_ONE_CUSTOMER), LARGEST)
    assert (rows["TOTAL"][9], rows["TOTAL"][12]) == (times_largest(everyone), times_largest(everyone - 2))
    workbook = await get(
        client, writer, "/v1/reports/aging", as_of=later.isoformat(), business_entity="MAX", format="xlsx"
    )
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    cells = {
        row[1]: row for row in sheet.iter_rows(values_only=True) if row[1] in {"MAX-A", "MAX-B", "TOTAL"}
    }
    # a spreadsheet number holds 15 significant digits: one amount exactly, larger totals rounded
    assert str(cells["MAX-B"][9]) == LARGEST
    assert cells["TOTAL"][9] == float(times_largest(everyone))

    comparative = await client.get(
        "/v1/reports/aging/comparative",
        params=[("as_of", issued.isoformat()), ("as_of", later.isoformat()), ("business_entity", "MAX")],
        headers=writer,
    )
    assert comparative.status_code == 200, comparative.text
    assert [r["totals"][0]["total"] for r in comparative.json()["reports"]] == [times_largest(everyone)] * 2

    items_open = await get(
        client, writer, "/v1/reports/open-items", as_of=later.isoformat(), business_entity="MAX"
    )
    assert items_open.json()["totals"] == {"EUR": times_largest(everyone)}
    assert len(items_open.json()["items"]) == everyone

    statement_a = await get(
        client, writer, f"/v1/reports/statements/{ids['MAX-A']}",
        period_start=issued.isoformat(), period_end=later.isoformat(),
    )  # fmt: skip
    assert statement_a.json()["closing_balance"] == times_largest(FITS_ONE_CUSTOMER)
    statement_b = await get(
        client, writer, f"/v1/reports/statements/{ids['MAX-B']}",
        period_start=issued.isoformat(), period_end=later.isoformat(),
    )  # fmt: skip
    assert [line["amount"] for line in statement_b.json()["lines"]] == [LARGEST, "-" + LARGEST, "-" + LARGEST]
    assert statement_b.json()["closing_balance"] == "-" + LARGEST

    kpis = await get(
        client, writer, "/v1/reports/kpis",
        period_start=issued.isoformat(), period_end=later.isoformat(), business_entity="MAX",
    )  # fmt: skip
    [line] = kpis.json()["lines"]
    assert (line["credit_sales"], line["ending_ar"]) == (times_largest(everyone), times_largest(everyone))
    assert (line["dso"], line["best_possible_dso"], line["cei_percent"]) == ("46.00", "0.00", "0.00")
    # everyone's KPIs, the report one maximal invoice used to break for every caller
    await get(
        client, writer, "/v1/reports/kpis", period_start=issued.isoformat(), period_end=later.isoformat()
    )

    # the past-due sweep announces an overdue total past one amount's limit, and a consumer reads it
    sweep = await client.post("/v1/past-due-sweeps", json={"as_of": later.isoformat()}, headers=writer)
    assert sweep.status_code == 200, sweep.text
    outbox = plumbing.outbox
    async with ledger_app.state.sessionmaker() as session:
        envelope = await session.scalar(
            select(outbox.c.envelope).where(
                outbox.c.event_type == "ar.ledger.AccountPastDue.v1", outbox.c.message_key == ids["MAX-A"]
            )
        )
    announced = AccountPastDue.model_validate(envelope["data"])
    assert [(m.amount, m.currency) for m in announced.overdue] == [(times_largest(FITS_ONE_CUSTOMER), "EUR")]


async def test_an_amount_past_the_limit_of_one_amount_is_refused_with_the_field_named(
    client: httpx.AsyncClient, writer: dict[str, str], clock: Clock
) -> None:
    customer = {"name": "Big", "currency": "EUR", "payment_terms_days": 30, "business_entity": "MAX"}
    upserted = await client.put("/v1/customers/external/MAX-C", json=customer, headers=writer)
    customer_id = upserted.json()["id"]
    today = clock.now().date().isoformat()
    too_large = {"amount": "10000000000000.00", "currency": "EUR"}  # one minor unit past the limit
    invoice = largest_invoice("MAX-C", "I-TOO-LARGE", today) | {"amount": too_large}
    payment = {"customer_external_id": "MAX-C", "received_on": today, "amount": too_large}
    for path, body, field in [
        ("/v1/invoices", invoice, "amount"),
        ("/v1/invoices/bulk", {"items": [largest_invoice("MAX-C", "I-1", today), invoice]}, "items.1.amount"),
        ("/v1/payments", payment, "amount"),
    ]:
        response = await client.post(path, json=body, headers=writer)
        assert response.status_code == 422, (path, response.text)
        [error] = response.json()["errors"]
        assert error["field"] == field
        assert "amounts are limited to ±9999999999999.99 EUR" in error["message"]
    assert (await get(client, writer, "/v1/invoices", customer_id=customer_id)).json()["items"] == []
