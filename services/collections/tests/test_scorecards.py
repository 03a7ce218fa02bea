"""A customer's monthly scorecard on a worked example, every figure written out; DSO and ADD the
same as /v1/kpis?customer_id= gives for each month. The entity's business date is set by hand,
so "today" is a date of the example, whatever the wall clock says."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from ar_collections.models import DisputeCase, PromiseToPay
from ar_collections.testing import Book, money
from ar_shared.events.credit import CreditLimitChanged
from ar_shared.events.ledger import PaymentApplied, PaymentReceived

pytestmark = pytest.mark.integration

TODAY = date(2026, 4, 15)


async def paid(
    book: Book, customer: uuid.UUID, invoice: uuid.UUID, amount: str, left: str, on: date
) -> uuid.UUID:
    payment = uuid.uuid4()
    await book.deliver(
        PaymentReceived(
            payment_id=payment,
            customer_id=customer,
            amount=money(amount),
            received_on=on,
            unapplied=money("0.00"),
        )
    )
    await book.deliver(
        PaymentApplied(
            application_id=uuid.uuid4(), customer_id=customer, invoice_id=invoice, source_kind="payment",
            source_id=payment, amount=money(amount), effective_date=on, invoice_open_balance=money(left),
        )
    )  # fmt: skip
    return payment


def promise(customer: uuid.UUID, entity: str, recorded: date, status: str, judged: date) -> PromiseToPay:
    return PromiseToPay(
        customer_id=customer, business_entity=entity, currency="EUR", exponent=2, amount_minor=10000,
        promised_date=recorded, tolerance_days=0, channel="call", recorded_on=recorded, status=status,
        received_minor=0, judged_on=judged, recorded_by="collector-anna",
    )  # fmt: skip


def case(customer: uuid.UUID, opened: date, resolved: date | None) -> DisputeCase:
    return DisputeCase(
        customer_id=customer, kind="dispute", status="open" if resolved is None else "resolved_invalid",
        currency="EUR", reason_code="pricing", due_on=opened, opened_on=opened, resolved_on=resolved,
        created_by="collector-anna",
    )  # fmt: skip


async def worked_customer(book: Book, portfolio: uuid.UUID) -> tuple[uuid.UUID, str]:
    entity = f"S{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, TODAY)
    customer = await book.account(portfolio_id=portfolio, entity=entity)
    # 1,000 sold 1 January (due 31 January): 400 paid 10 February (10 days late), 600 on 5 March (33)
    first = await book.invoice(
        customer, issued=date(2026, 1, 1), due=date(2026, 1, 31), amount="1000.00", entity=entity
    )
    # 2,000 sold 1 February (due 3 March): 1,000 paid 1 March (2 days early)
    second = await book.invoice(
        customer, issued=date(2026, 2, 1), due=date(2026, 3, 3), amount="2000.00", entity=entity
    )
    # 500 sold 1 March (due 31 March)
    await book.invoice(
        customer, issued=date(2026, 3, 1), due=date(2026, 3, 31), amount="500.00", entity=entity
    )
    await paid(book, customer, first, "400.00", "600.00", date(2026, 2, 10))
    await paid(book, customer, first, "600.00", "0.00", date(2026, 3, 5))
    await paid(book, customer, second, "1000.00", "1000.00", date(2026, 3, 1))
    await book.deliver(
        CreditLimitChanged(
            customer_id=customer,
            previous_limit=None,
            new_limit=money("5000.00"),
            changed_by="credit",
            reason="new",
        )
    )
    async with book.session() as session:
        session.add_all(
            [
                promise(customer, entity, date(2026, 2, 5), "kept", date(2026, 2, 10)),
                promise(customer, entity, date(2026, 3, 1), "broken", date(2026, 3, 10)),
                promise(customer, entity, date(2026, 3, 2), "partially_kept", date(2026, 3, 5)),
                case(customer, date(2026, 2, 15), date(2026, 3, 10)),
                case(customer, date(2026, 3, 20), None),
            ]
        )
    return customer, entity


def figures(month: dict[str, Any]) -> tuple[Any, ...]:
    keys = (
        "month", "ending_ar", "credit_sales", "dso", "average_days_delinquent", "cash_applied",
        "average_days_late", "promises_made", "promises_kept", "promises_partially_kept", "promises_broken",
        "disputes_opened", "disputes_open", "credit_limit", "credit_use_percent",
    )  # fmt: skip
    return tuple(month[k] for k in keys)


async def test_a_customers_scorecard_month_by_month_on_a_worked_example(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book
) -> None:
    anna = await book.collector("collector-anna")
    customer, entity = await worked_customer(book, await book.portfolio(anna))
    params = {"months": "3", "as_of_month": "2026-03"}
    response = await client.get(f"/v1/accounts/{customer}/scorecard", params=params, headers=collector)
    assert response.status_code == 200, response.text
    card = response.json()
    assert (card["currency"], card["as_of_month"]) == ("EUR", "2026-03")
    january, february, march = card["months"]
    # January: AR 1,000 (current on its due date) / sales 1,000 x 31 = 31.00, best 31.00, ADD 0;
    # no cash; use 1,000 / 5,000
    assert figures(january) == (
        "2026-01", "1000.00", "1000.00", "31.00", "0.00", "0.00", None, 0, 0, 0, 0, 0, 0, "5000.00", "20.00",
    )  # fmt: skip
    # February: AR 600 late + 2,000 current = 2,600 / 2,000 x 28 = 36.40, best 28.00, ADD 8.40;
    # 400 paid 10 days late; one promise made and kept; one dispute opened, open at the end
    assert figures(february) == (
        "2026-02", "2600.00", "2000.00", "36.40", "8.40", "400.00", "10.00",
        1, 1, 0, 0, 1, 1, "5000.00", "52.00",
    )  # fmt: skip
    # March: AR 1,000 late + 500 current = 1,500 / 500 x 31 = 93.00, best 31.00, ADD 62.00;
    # 600 at 33 days and 1,000 two days early: 17,800 / 1,600 = 11.125; two promises made, one
    # broken, one partially kept; February's dispute resolved, another opened
    assert figures(march) == (
        "2026-03", "1500.00", "500.00", "93.00", "62.00", "1600.00", "11.13",
        2, 0, 1, 1, 1, 1, "5000.00", "30.00",
    )  # fmt: skip
    assert january["trend"]["dso"] is None  # nothing in December
    assert february["trend"] == {
        "dso": "up", "average_days_delinquent": "up", "average_days_late": None, "promises_kept": "up",
        "promises_broken": "flat", "disputes_open": "up", "credit_use_percent": "up",
    }  # fmt: skip
    assert march["trend"] == {
        "dso": "up", "average_days_delinquent": "up", "average_days_late": "up", "promises_kept": "down",
        "promises_broken": "up", "disputes_open": "flat", "credit_use_percent": "down",
    }  # fmt: skip
    assert (march["period_start"], march["period_end"]) == ("2026-03-01", "2026-03-31")

    # DSO and ADD are the KPI report's for the customer and the month
    for month in card["months"]:
        kpis = await client.get(
            "/v1/kpis",
            params={
                "period_start": month["period_start"],
                "period_end": month["period_end"],
                "customer_id": str(customer),
            },
            headers=manager,
        )
        [line] = kpis.json()["lines"]
        assert (line["dso"], line["average_days_delinquent"], line["ending_ar"]) == (
            month["dso"], month["average_days_delinquent"], month["ending_ar"],
        )  # fmt: skip

    per_customer = await client.get(
        "/v1/kpis",
        params={"period_start": "2026-03-01", "period_end": "2026-03-31", "group_by": "customer",
                "business_entity": entity},
        headers=manager,
    )  # fmt: skip
    [line] = per_customer.json()["lines"]
    assert (line["group"], line["dso"], line["average_days_delinquent"]) == (str(customer), "93.00", "62.00")

    # by default the six months up to the business date's, the current one to that date
    default = (await client.get(f"/v1/accounts/{customer}/scorecard", headers=manager)).json()
    assert [m["month"] for m in default["months"]] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    ]
    assert default["months"][-1]["period_end"] == TODAY.isoformat()
    assert figures(default["months"][4]) == figures(march)

    exported = await client.get(
        f"/v1/accounts/{customer}/scorecard/export", params={**params, "format": "csv"}, headers=collector
    )
    assert exported.status_code == 200, exported.text
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:10] == [
        "month", "period start", "period end", "currency", "ending AR", "credit sales", "DSO", "ADD",
        "cash applied", "average days late",
    ]  # fmt: skip
    assert rows[3][:10] == [
        "2026-03",
        "2026-03-01",
        "2026-03-31",
        "EUR",
        "1500.00",
        "500.00",
        "93.00",
        "62.00",
        "1600.00",
        "11.13",
    ]
    assert len(rows) == 4
    workbook = await client.get(
        f"/v1/accounts/{customer}/scorecard/export", params={**params, "format": "xlsx"}, headers=collector
    )
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet["A4"].value == "2026-03"
    assert sheet["B4"].value.date() == date(2026, 3, 1)  # a date cell
    assert sheet["E4"].value == 1500
    assert sheet["E4"].number_format == "#,##0.00##"
    assert sheet["G4"].value == 93
    assert sheet["J4"].value == pytest.approx(11.13)
    assert sheet["K4"].value == 2
    assert sheet["R4"].value == 30
    assert sheet["S4"].value == "up"


async def test_scorecard_refusals(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book
) -> None:
    anna = await book.collector("collector-anna")
    ben = await book.collector(f"ben-{uuid.uuid4().hex[:6]}")
    entity = f"R{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, TODAY)
    annas = await book.account(portfolio_id=await book.portfolio(anna), entity=entity)
    bens = await book.account(portfolio_id=await book.portfolio(ben), entity=entity)

    async def problem(customer: uuid.UUID, headers: dict[str, str], **params: str) -> tuple[int, str | None]:
        response = await client.get(f"/v1/accounts/{customer}/scorecard", params=params, headers=headers)
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
        return response.status_code, response.json().get("code")

    for months in ("0", "25"):
        assert await problem(annas, collector, months=months) == (422, "months_out_of_range")
    assert await problem(annas, collector, as_of_month="2026-13") == (422, "invalid_month")
    assert await problem(annas, collector, as_of_month="2026-05") == (422, "month_in_the_future")
    assert await problem(uuid.uuid4(), manager) == (404, "account_not_found")
    # another collector's customer is as unknown to anna; her manager sees it
    assert await problem(bens, collector) == (404, "account_not_found")
    export = await client.get(f"/v1/accounts/{bens}/scorecard/export", headers=collector)
    assert export.status_code == 404
    assert (await client.get(f"/v1/accounts/{bens}/scorecard", headers=manager)).status_code == 200
    months = (
        await client.get(f"/v1/accounts/{annas}/scorecard", params={"months": "24"}, headers=collector)
    ).json()
    assert len(months["months"]) == 24
    assert months["months"][-1]["credit_use_percent"] is None  # no limit
