"""`GET /v1/invoices/{id}?as_of=`: one invoice's balance, status and days past due on any date,
paid invoices included (the open-items report leaves those out)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_ledger.domain.open_balance import Applied, open_balance, status_on

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def post(client: httpx.AsyncClient, writer: dict[str, str], url: str, body: Any) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=writer)
    assert response.status_code in {200, 201}, response.text
    return dict(response.json())


async def as_of(
    client: httpx.AsyncClient, reader: dict[str, str], invoice: str, day: str | None
) -> tuple[str, str, int | None, str | None]:
    response = await client.get(
        f"/v1/invoices/{invoice}", params={"as_of": day} if day else {}, headers=reader
    )
    assert response.status_code == 200, response.text
    found = response.json()
    return found["status"], found["open_balance"]["amount"], found["days_past_due"], found["as_of"]


async def test_an_invoice_paid_then_reopened_has_its_balance_on_every_date(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    body = {"name": "As of", "currency": "EUR", "payment_terms_days": 30, "business_entity": "ASOF"}
    await client.put("/v1/customers/external/AO-1", json=body, headers=writer)
    invoice = await post(client, writer, "/v1/invoices", {
        "customer_external_id": "AO-1", "invoice_number": "AO-1", "issue_date": "2026-01-01",
        "due_date": "2026-01-31", "amount": eur("1000.00"),
    })  # fmt: skip

    async def pay(on: str, amount: str) -> dict[str, Any]:
        return await post(client, writer, "/v1/payments", {
            "customer_external_id": "AO-1", "amount": eur(amount), "received_on": on,
            "allocations": [{"invoice_id": invoice["id"], "amount": eur(amount)}],
        })  # fmt: skip

    await pay("2026-02-10", "400.00")
    second = await pay("2026-03-01", "600.00")
    await post(client, writer, f"/v1/payments/{second['id']}/reverse", {"reversed_on": "2026-03-20"})

    assert await as_of(client, reader, invoice["id"], "2026-01-15") == ("open", "1000.00", 0, "2026-01-15")
    assert await as_of(client, reader, invoice["id"], "2026-02-15") == ("open", "600.00", 15, "2026-02-15")
    assert await as_of(client, reader, invoice["id"], "2026-03-05") == ("paid", "0.00", None, "2026-03-05")
    assert await as_of(client, reader, invoice["id"], "2026-03-25") == ("open", "600.00", 53, "2026-03-25")
    assert await as_of(client, reader, invoice["id"], None) == ("open", "600.00", None, None)

    before = await client.get(f"/v1/invoices/{invoice['id']}", params={"as_of": "2025-12-31"}, headers=reader)
    assert (before.status_code, before.json()["code"]) == (422, "not_yet_issued")


async def test_void_and_written_off_invoices_as_of_before_and_after(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    body = {"name": "As of", "currency": "EUR", "payment_terms_days": 30, "business_entity": "ASOF"}
    await client.put("/v1/customers/external/AO-2", json=body, headers=writer)
    voided, written_off = [
        await post(client, writer, "/v1/invoices", {
            "customer_external_id": "AO-2", "invoice_number": number, "issue_date": "2026-01-01",
            "amount": eur("50.00"),
        })
        for number in ("AO-V", "AO-W")
    ]  # fmt: skip
    await post(client, writer, f"/v1/invoices/{voided['id']}/void", {"voided_on": "2026-02-01"})
    await post(client, writer, "/v1/write-offs", {
        "invoice_id": written_off["id"], "amount": eur("50.00"), "reason_code": "small_balance",
        "effective_date": "2026-02-01",
    })  # fmt: skip
    assert await as_of(client, reader, voided["id"], "2026-01-20") == ("open", "50.00", 0, "2026-01-20")
    assert await as_of(client, reader, voided["id"], "2026-02-01") == ("void", "0.00", None, "2026-02-01")
    assert (await as_of(client, reader, written_off["id"], "2026-02-01"))[:2] == ("written_off", "0.00")


applied = st.builds(
    Applied,
    source_kind=st.sampled_from(["payment", "credit_memo", "write_off"]),
    amount_minor=st.integers(min_value=1, max_value=1000),
    effective_date=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    reversed_on=st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    seq=st.integers(min_value=1, max_value=10**6),
)


@given(st.lists(applied, max_size=8, unique_by=lambda a: a.seq), st.dates(min_value=date(2025, 12, 1)))
def test_the_open_balance_counts_what_is_applied_on_the_date_and_the_status_follows_it(
    applications: list[Applied], day: date
) -> None:
    applications = [a for a in applications if a.reversed_on is None or a.reversed_on >= a.effective_date]
    amount = max(sum(a.amount_minor for a in applications), 1)
    in_effect = [a for a in applications if a.effective_date <= day < (a.reversed_on or date.max)]
    assert open_balance(amount, applications, day) == amount - sum(a.amount_minor for a in in_effect)
    status = status_on(amount, None, applications, day)
    assert (status == "open") == (open_balance(amount, applications, day) > 0)
    assert status_on(amount, day - timedelta(days=1), applications, day) == "void"
