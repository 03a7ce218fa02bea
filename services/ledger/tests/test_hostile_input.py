"""Input PostgreSQL cannot hold, cursors the API never issued, dates past the accepted range and
Unix numbers as dates: each a 4xx problem naming what is wrong, and nothing written."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_ledger.models import CreditMemo, Customer, Invoice, Payment, WriteOff, plumbing
from ar_shared.clock import Clock

pytestmark = pytest.mark.integration

TABLES = (Customer, Invoice, Payment, CreditMemo, WriteOff)


def forged(*values: object) -> str:
    """A well-formed cursor the API never issued."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).rstrip(b"=").decode()


@pytest.fixture
async def known(client: httpx.AsyncClient, writer: dict[str, str], clock: Clock) -> dict[str, str]:
    """A customer H-1 with one open invoice and one payment; the ids requests name."""
    today = clock.now().date().isoformat()
    body = {"name": "Hostile", "currency": "EUR", "payment_terms_days": 30, "business_entity": "HX"}
    customer = (await client.put("/v1/customers/external/H-1", json=body, headers=writer)).json()["id"]
    invoice = {"customer_id": customer, "invoice_number": "H-INV-1", "issue_date": today}
    invoice |= {"amount": {"amount": "100.00", "currency": "EUR"}}
    invoice_id = (await client.post("/v1/invoices", json=invoice, headers=writer)).json()["id"]
    payment = {"customer_id": customer, "received_on": today, "allocations": []}
    payment |= {"amount": {"amount": "10.00", "currency": "EUR"}}
    payment_id = (await client.post("/v1/payments", json=payment, headers=writer)).json()["id"]
    return {"customer": customer, "invoice": invoice_id, "payment": payment_id, "today": today}


async def counts(app: FastAPI) -> list[int]:
    async with app.state.sessionmaker() as session:
        rows = [await session.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES]
        rows.append(await session.scalar(select(func.count()).select_from(plumbing.outbox)) or 0)
        return rows


def body_cases(k: dict[str, str]) -> list[tuple[str, str, dict[str, Any], str]]:
    """(method, url, body, field) with a bad character in `field`."""
    eur = {"amount": "1.00", "currency": "EUR"}
    customer = {"name": "Acme", "currency": "EUR", "payment_terms_days": 30, "business_entity": "HX"}
    invoice = {"customer_id": k["customer"], "invoice_number": "H-2", "issue_date": k["today"], "amount": eur}
    memo = {"customer_id": k["customer"], "memo_number": "CM-1", "issue_date": k["today"], "amount": eur}
    payment = {"customer_id": k["customer"], "received_on": k["today"], "amount": eur}
    write_off = {
        "invoice_id": k["invoice"],
        "amount": eur,
        "reason_code": "goodwill",
        "effective_date": k["today"],
    }
    return [
        ("PUT", "/v1/customers/external/H-2", customer | {"name": "Acme\u0000 GmbH"}, "name"),
        ("PUT", "/v1/customers/external/H-2", customer | {"business_entity": "H\u0001X"}, "business_entity"),
        ("PUT", "/v1/customers/external/H-2", customer | {"sales_rep": "maria\u0000"}, "sales_rep"),
        ("POST", "/v1/invoices", invoice | {"invoice_number": "H-\u00002"}, "invoice_number"),
        ("POST", "/v1/invoices", invoice | {"invoice_number": "H-\u001b[2J"}, "invoice_number"),
        ("POST", "/v1/invoices", invoice | {"invoice_number": "H-\u2028"}, "invoice_number"),
        ("POST", "/v1/invoices", invoice | {"invoice_number": "H-\ud800"}, "invoice_number"),
        ("POST", "/v1/invoices", invoice | {"order_reference": "SO\u0000"}, "order_reference"),
        ("POST", "/v1/invoices", invoice | {"po_number": "PO\u0007"}, "po_number"),
        (
            "POST",
            "/v1/invoices",
            {k: v for k, v in invoice.items() if k != "customer_id"} | {"customer_external_id": "H-1\u0000"},
            "customer_external_id",
        ),
        (
            "POST",
            "/v1/invoices/bulk",
            {"items": [invoice, invoice | {"invoice_number": "\u0000"}]},
            "items.1.invoice_number",
        ),
        ("POST", "/v1/payments", payment | {"remittance_reference": "INV\u0000"}, "remittance_reference"),
        ("POST", "/v1/credit-memos", memo | {"memo_number": "CM\u0000"}, "memo_number"),
        ("POST", "/v1/credit-memos", memo | {"reason_code": "pricing\u0001"}, "reason_code"),
        ("POST", "/v1/write-offs", write_off | {"note": "gone\u0000"}, "note"),
        (
            "POST",
            f"/v1/invoices/{k['invoice']}/void",
            {"voided_on": k["today"], "reason": "\u0000"},
            "reason",
        ),
        (
            "POST",
            f"/v1/payments/{k['payment']}/reverse",
            {"reversed_on": k["today"], "reason": "\u0000"},
            "reason",
        ),
    ]


async def test_nul_and_control_characters_in_a_body_are_a_422_naming_the_field_and_nothing_is_written(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str], known: dict[str, str]
) -> None:
    before = await counts(ledger_app)
    for method, url, body, field in body_cases(known):
        # json.dumps escapes every character, so the bytes are what a client's JSON encoder sends
        response = await client.request(
            method, url, content=json.dumps(body), headers=writer | {"content-type": "application/json"}
        )
        assert response.status_code == 422, (url, field, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field], response.text
        # pydantic refuses a lone surrogate itself, before the input types look at it
        assert response.json()["errors"][0]["code"] in {"control_character", "string_unicode"}
    assert await counts(ledger_app) == before


@pytest.mark.parametrize("key", ["a\x00b", "a\x01b", "\x7f"])
async def test_an_idempotency_key_with_control_characters_is_a_400_and_nothing_is_written(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str], known: dict[str, str], key: str
) -> None:
    before = await counts(ledger_app)
    invoice: dict[str, Any] = {"customer_id": known["customer"], "invoice_number": "H-IDEM"}
    invoice |= {"issue_date": known["today"], "amount": {"amount": "1.00", "currency": "EUR"}}
    response = await client.post("/v1/invoices", json=invoice, headers=writer | {"Idempotency-Key": key})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_idempotency_key"
    assert await counts(ledger_app) == before


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/customers/external/H%002", "external_id"),
        ("/v1/customers?business_entity=H%00X", "business_entity"),
        ("/v1/customers?currency=E%00R", "currency"),
        ("/v1/customers?sales_rep=%00", "sales_rep"),
        ("/v1/invoices?cursor=%00", "cursor"),
        ("/v1/reports/aging?as_of={today}&business_entity=%00", "business_entity"),
        ("/v1/reports/aging?as_of={today}&edges=30%00", "edges"),
        ("/v1/reports/open-items?as_of={today}&business_entity=%0A", "business_entity"),
        ("/v1/reports/kpis?period_start={today}&period_end={today}&business_entity=%00", "business_entity"),
    ],
)
async def test_nul_in_a_path_or_query_parameter_is_a_4xx_naming_it(
    client: httpx.AsyncClient, writer: dict[str, str], known: dict[str, str], url: str, field: str
) -> None:
    method = "PUT" if url.startswith("/v1/customers/") else "GET"
    body = {"name": "Acme", "currency": "EUR", "payment_terms_days": 30, "business_entity": "HX"}
    response = await client.request(
        method, url.format(today=known["today"]), json=body if method == "PUT" else None, headers=writer
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


A_UUID = "0b7f1f2b-3f1a-4c59-9a57-8d6f4c2e9e10"


@pytest.mark.parametrize(
    ("url", "cursor"),
    [
        ("/v1/customers", forged("x")),
        ("/v1/customers", forged(1)),
        ("/v1/customers", forged(None)),
        ("/v1/customers", forged("\ud800")),
        ("/v1/payments", forged("not-a-uuid")),
        ("/v1/payments", forged(12)),
        ("/v1/invoices", forged("2026-02-30", A_UUID)),
        ("/v1/invoices", forged("2026-01-01", 7)),
        ("/v1/reports/aging?as_of={today}&sort=total_desc", forged(10**30, "EUR", A_UUID)),
        ("/v1/reports/aging?as_of={today}&sort=total_desc", forged(2**63, "EUR", A_UUID)),
        ("/v1/reports/aging?as_of={today}&sort=total_desc", forged("Acme", "EUR", A_UUID)),
        ("/v1/reports/aging?as_of={today}&sort=name", forged("Acme\u0000", "EUR", A_UUID)),
        ("/v1/reports/aging?as_of={today}&sort=name", forged(12, "EUR", A_UUID)),
        ("/v1/reports/aging?as_of={today}&sort=name", forged("Acme", None, A_UUID)),
    ],
)
async def test_a_forged_cursor_is_a_400_not_a_500(
    client: httpx.AsyncClient, writer: dict[str, str], known: dict[str, str], url: str, cursor: str
) -> None:
    separator = "&" if "?" in url else "?"
    response = await client.get(
        f"{url.format(today=known['today'])}{separator}cursor={cursor}", headers=writer
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_cursor"


def date_cases(k: dict[str, str]) -> list[tuple[str, str, dict[str, Any] | None, str, str]]:
    """(method, url, body, field, code) with a date the API refuses."""
    invoice = {
        "customer_id": k["customer"],
        "invoice_number": "H-D",
        "amount": {"amount": "1.00", "currency": "EUR"},
    }
    statement = f"/v1/reports/statements/{k['customer']}"
    return [
        (
            "GET",
            f"/v1/reports/kpis?period_start=0001-01-01&period_end={k['today']}",
            None,
            "period_start",
            "date_out_of_range",
        ),
        (
            "GET",
            f"{statement}?period_start=0001-01-01&period_end={k['today']}",
            None,
            "period_start",
            "date_out_of_range",
        ),
        (
            "GET",
            f"{statement}?period_start={k['today']}&period_end=9999-12-31",
            None,
            "period_end",
            "date_out_of_range",
        ),
        ("POST", "/v1/invoices", invoice | {"issue_date": "9999-12-31"}, "issue_date", "date_out_of_range"),
        (
            "POST",
            "/v1/invoices",
            invoice | {"issue_date": k["today"], "due_date": "3000-01-01"},
            "due_date",
            "date_out_of_range",
        ),
        ("GET", "/v1/reports/aging?as_of=9999-12-31", None, "as_of", "date_out_of_range"),
        ("GET", "/v1/reports/open-items?as_of=1899-12-31", None, "as_of", "date_out_of_range"),
        (
            "GET",
            f"/v1/reports/aging/comparative?as_of={k['today']}&as_of=9999-12-31",
            None,
            "as_of.1",
            "date_out_of_range",
        ),
        ("POST", "/v1/past-due-sweeps", {"as_of": "9999-12-31"}, "as_of", "date_out_of_range"),
        ("GET", "/v1/invoices?overdue_on=0001-01-01", None, "overdue_on", "date_out_of_range"),
        # Unix numbers (or their strings) are not dates
        ("POST", "/v1/invoices", invoice | {"issue_date": 0}, "issue_date", "date_format"),
        (
            "POST",
            "/v1/invoices",
            invoice | {"issue_date": k["today"], "due_date": 1767225600},
            "due_date",
            "date_format",
        ),
        ("POST", "/v1/past-due-sweeps", {"as_of": "1767225600"}, "as_of", "date_format"),
        ("POST", f"/v1/invoices/{k['invoice']}/void", {"voided_on": 0}, "voided_on", "date_format"),
        (
            "POST",
            f"/v1/payments/{k['payment']}/applications",
            {"effective_date": 0},
            "effective_date",
            "date_format",
        ),
        ("GET", "/v1/reports/aging?as_of=1767225600", None, "as_of", "date_format"),
        ("GET", "/v1/invoices?due_from=0", None, "due_from", "date_format"),
        (
            "GET",
            f"/v1/reports/kpis?period_start=20260101&period_end={k['today']}",
            None,
            "period_start",
            "date_format",
        ),
    ]


async def test_dates_outside_the_accepted_range_or_not_iso_strings_are_a_422_and_nothing_is_written(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str], known: dict[str, str]
) -> None:
    before = await counts(ledger_app)
    for method, url, body, field, code in date_cases(known):
        response = await client.request(method, url, json=body, headers=writer)
        assert response.status_code == 422, (url, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)], response.text
    assert await counts(ledger_app) == before


async def test_the_first_and_last_accepted_dates_work_end_to_end(
    client: httpx.AsyncClient, writer: dict[str, str], known: dict[str, str]
) -> None:
    first, last = date(1900, 1, 1), date(2999, 12, 31)
    invoice = {"customer_id": known["customer"], "amount": {"amount": "1.00", "currency": "EUR"}}
    for number, issued in (("H-FIRST", first), ("H-LAST", last)):
        response = await client.post(
            "/v1/invoices",
            json=invoice | {"invoice_number": number, "issue_date": issued.isoformat()},
            headers=writer,
        )
        assert response.status_code == 201, response.text
    # the terms run past the last accepted date: stored and reported, not refused
    assert response.json()["due_date"] == (last + timedelta(days=30)).isoformat()
    for url in (
        f"/v1/reports/aging?as_of={last}",
        f"/v1/reports/aging/comparative?as_of={first}&as_of={last}",
        f"/v1/reports/open-items?as_of={last}",
        f"/v1/reports/kpis?period_start={first}&period_end={last}",
        f"/v1/reports/statements/{known['customer']}?period_start={first}&period_end={last}",
    ):
        assert (await client.get(url, headers=writer)).status_code == 200, url
    sweep = await client.post("/v1/past-due-sweeps", json={"as_of": last.isoformat()}, headers=writer)
    assert sweep.status_code == 200, sweep.text
