"""Reconciling the ERP's open items (an SAP line-item list, CSV or XLSX) with the ledger's."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

pytestmark = pytest.mark.integration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AS_OF = "2026-03-31"


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def ledger_book(client: httpx.AsyncClient, writer: dict[str, str]) -> dict[str, str]:
    """Customer S1 of entity SAP1: invoices 90001 (1,190.00), 90002 (500.00), 90003 (200.00 due
    04-15), 90004 (paid), 90005 (300.00); credit memo CM-1 (80.00, unapplied). S2 (entity SAP1)
    with nothing open; S3 of entity OTHER with invoice 70001."""
    ids = {}
    for external_id, entity in (("S1", "SAP1"), ("S2", "SAP1"), ("S3", "OTHER")):
        body = {"name": f"Customer {external_id}", "currency": "EUR", "payment_terms_days": 30}
        body["business_entity"] = entity
        ids[external_id] = (
            await client.put(f"/v1/customers/external/{external_id}", json=body, headers=writer)
        ).json()["id"]

    async def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(url, json=body, headers=writer)
        assert response.status_code == 201, response.text
        return dict(response.json())

    for number, amount, due in (
        ("90001", "1190.00", "2026-03-31"),
        ("90002", "500.00", "2026-03-31"),
        ("90003", "200.00", "2026-04-15"),
        ("90004", "100.00", "2026-03-31"),
        ("90005", "300.00", "2026-04-30"),
    ):
        invoice = await post("/v1/invoices", {
            "customer_external_id": "S1", "invoice_number": number, "issue_date": "2026-03-01",
            "due_date": due, "amount": eur(amount),
        })  # fmt: skip
        ids[number] = invoice["id"]
    await post("/v1/payments", {
        "customer_external_id": "S1", "amount": eur("100.00"), "received_on": "2026-03-20",
        "allocations": [{"invoice_id": ids["90004"], "amount": eur("100.00")}],
    })  # fmt: skip
    await post("/v1/credit-memos", {
        "customer_external_id": "S1", "memo_number": "CM-1", "issue_date": "2026-03-05",
        "amount": eur("80.00"),
    })  # fmt: skip
    await post("/v1/invoices", {
        "customer_external_id": "S3", "invoice_number": "70001", "issue_date": "2026-03-01",
        "amount": eur("999.00"),
    })  # fmt: skip
    return ids


SAP_CSV = """Customer Line Item Display;;;;;
;;;;;
Customer;Document Number;Document Date;Net due date;Amount in doc. curr.;Document currency
S1;90001;01.03.2026;31.03.2026;1,190.00;EUR
S1;90002;01.03.2026;31.03.2026;450.00;EUR
S1;90003;01.03.2026;30.04.2026;200.00;EUR
S1;90004;01.03.2026;31.03.2026;100.00;EUR
S1;CM-1;05.03.2026;05.03.2026;80.00-;EUR
*;;;;2,020.00;EUR
S9;12345;15.03.2026;14.04.2026;42.00;EUR
S3;70001;01.03.2026;31.03.2026;999.00;EUR
"""


async def reconcile(
    client: httpx.AsyncClient, headers: dict[str, str], content: bytes, media_type: str, **params: str
) -> httpx.Response:
    return await client.post(
        "/v1/reconciliations",
        params={"as_of": AS_OF, "mapping": "sap_line_items", "business_entity": "SAP1"} | params,
        content=content,
        headers=headers | {"Content-Type": media_type},
    )


async def test_an_sap_line_item_list_matches_differs_and_is_missing_per_customer(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    ids = await ledger_book(client, writer)
    response = await reconcile(client, reader, SAP_CSV.encode(), "text/csv")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["scope"] == "business_entity:SAP1"
    by_customer = {c["customer_external_id"]: c for c in report["customers"]}
    assert set(by_customer) == {"S1", "S9"}  # S3 is OTHER's: left out; S2 has nothing on either side
    s1 = by_customer["S1"]
    assert s1["customer_id"] == ids["S1"]
    items = {i["document_number"]: (i["status"], i["differences"], i["difference"]) for i in s1["items"]}
    assert items == {
        "90001": ("matched", [], "0.00"),
        "90002": ("differs", ["amount"], "-50.00"),
        "90003": ("differs", ["due_date"], "0.00"),
        "90004": ("erp_only", [], "100.00"),
        "90005": ("ledger_only", [], "-300.00"),
        "CM-1": ("matched", [], "0.00"),
    }
    [totals] = s1["totals"]
    assert (totals["erp_total"], totals["ledger_total"], totals["difference"]) == (
        "1860.00",
        "2110.00",
        "-250.00",
    )
    assert (totals["matched"]["count"], totals["differs"]["count"]) == (2, 2)
    assert by_customer["S9"]["customer_id"] is None
    assert [i["status"] for i in by_customer["S9"]["items"]] == ["erp_only"]
    [everyone] = report["totals"]
    assert (everyone["erp_total"], everyone["ledger_total"]) == ("1902.00", "2110.00")
    assert everyone["erp_only"] == {"count": 2, "erp_amount": "142.00", "ledger_amount": "0.00"}
    assert everyone["ledger_only"] == {"count": 1, "erp_amount": "0.00", "ledger_amount": "300.00"}

    only = (await reconcile(client, reader, SAP_CSV.encode(), "text/csv", only_differences="true")).json()
    assert [i["document_number"] for c in only["customers"] for i in c["items"]] == [
        "90002", "90003", "90004", "90005", "12345",
    ]  # fmt: skip
    assert only["totals"] == report["totals"]


async def test_the_same_list_as_xlsx_with_german_titles_and_downloads(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    await ledger_book(client, writer)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Debitoren Einzelposten"])
    sheet.append(
        ["Kunde", "Belegnummer", "Belegdatum", "Nettofälligkeit", "Betrag in Belegwährung", "Belegwährung"]
    )
    sheet.append(["S1", 90001, datetime(2026, 3, 1), datetime(2026, 3, 31), 1190.0, "EUR"])
    sheet.append(["S1", 90002, datetime(2026, 3, 1), datetime(2026, 3, 31), "500,00", "EUR"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = await reconcile(client, reader, buffer.getvalue(), XLSX, mapping="sap_line_items_de")
    assert response.status_code == 200, response.text
    [s1] = response.json()["customers"]
    assert [(i["document_number"], i["status"]) for i in s1["items"]] == [
        ("90001", "matched"), ("90002", "matched"), ("90003", "ledger_only"), ("90005", "ledger_only"),
        ("CM-1", "ledger_only"),
    ]  # fmt: skip

    csv_answer = await reconcile(
        client, reader, buffer.getvalue(), XLSX, mapping="sap_line_items_de", format="csv"
    )
    assert csv_answer.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(csv_answer.text)))
    assert table[1][:6] == [
        "customer_external_id",
        "customer_name",
        "document_number",
        "status",
        "differences",
        "currency",
    ]
    assert table[-1][0] == "TOTAL"
    assert (table[-1][9], table[-1][13], table[-1][14]) == ("1690.00", "2110.00", "-420.00")
    xlsx_answer = await reconcile(
        client, reader, buffer.getvalue(), XLSX, mapping="sap_line_items_de", format="xlsx"
    )
    sheet = load_workbook(io.BytesIO(xlsx_answer.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[3]][:4] == ["S1", "Customer S1", "90001", "matched"]


async def test_a_file_with_bad_cells_is_refused_whole_naming_each(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    await ledger_book(client, writer)
    bad = (
        SAP_CSV.replace("1,190.00", "1.190,00").replace("30.04.2026", "31.04.2026").replace("S9;", "S9\x07;")
    )
    response = await reconcile(client, reader, bad.encode(), "text/csv")
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_file_rows"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("rows.4.amount", "amount_format"),
        ("rows.6.due_date", "date_format"),
        ("rows.10.customer", "control_character"),
    ]


@pytest.mark.parametrize(
    ("content", "media_type", "params", "status", "code"),
    [
        (SAP_CSV.encode(), "application/json", {}, 415, "unsupported_media_type"),
        (b"PK\x03\x04 not really a workbook", XLSX, {}, 422, "invalid_file"),
        (SAP_CSV.encode(), "text/csv", {"mapping": "ledger"}, 422, "invalid_file"),
        (SAP_CSV.encode(), "text/csv", {"columns": "kunde=Customer"}, 422, "invalid_column_mapping"),
        (b"", "text/csv", {}, 422, "invalid_file"),
    ],
)
async def test_a_file_that_cannot_be_read_is_a_clear_4xx(
    client: httpx.AsyncClient, reader: dict[str, str], content: bytes, media_type: str,
    params: dict[str, str], status: int, code: str,
) -> None:  # fmt: skip
    response = await reconcile(client, reader, content, media_type, **params)
    assert (response.status_code, response.json()["code"]) == (status, code)


async def test_own_column_titles_for_a_layout_no_mapping_ships(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    await ledger_book(client, writer)
    own = "Debitor,Beleg,Datum,Faellig,Offen,Waehrung\nS1,90001,2026-03-01,2026-03-31,1190.00,EUR\n"
    columns = (
        "customer=Debitor,document_number=Beleg,document_date=Datum,due_date=Faellig,amount=Offen,"
        "currency=Waehrung"
    )
    response = await reconcile(client, reader, own.encode(), "text/csv", mapping="ledger", columns=columns)
    assert response.status_code == 200, response.text
    [s1] = response.json()["customers"]
    assert s1["items"][0]["status"] == "matched"
