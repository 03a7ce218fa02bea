"""Cash application scenarios with their numbers written out, and every refusal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


class Ledger:
    """A tiny client for the scenarios: one customer in EUR, net 30."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def customer(self, external_id: str = "C-1", currency: str = "EUR") -> str:
        body = {
            "name": external_id,
            "currency": currency,
            "payment_terms_days": 30,
            "business_entity": "DE01",
        }
        return str(
            (
                await self.client.put(
                    f"/v1/customers/external/{external_id}", json=body, headers=self.headers
                )
            ).json()["id"]
        )

    async def invoice(
        self,
        number: str,
        amount: str,
        issued: str = "2026-10-01",
        due: str | None = None,
        customer: str = "C-1",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customer_external_id": customer,
            "invoice_number": number,
            "issue_date": issued,
            "amount": {"amount": amount, "currency": "EUR"},
        }
        if due:
            body["due_date"] = due
        response = await self.client.post("/v1/invoices", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def pay(
        self, amount: str, on: str = "2026-11-01", expect: int = 201, customer: str = "C-1", **extra: Any
    ) -> dict[str, Any]:
        body = {
            "customer_external_id": customer,
            "amount": {"amount": amount, "currency": "EUR"},
            "received_on": on,
        } | extra
        response = await self.client.post("/v1/payments", json=body, headers=self.headers)
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def open_balance(self, invoice: dict[str, Any]) -> str:
        response = await self.client.get(f"/v1/invoices/{invoice['id']}", headers=self.headers)
        return str(response.json()["open_balance"]["amount"])

    async def status(self, invoice: dict[str, Any]) -> str:
        return str(
            (await self.client.get(f"/v1/invoices/{invoice['id']}", headers=self.headers)).json()["status"]
        )


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
async def ledger(client: httpx.AsyncClient, writer: dict[str, str]) -> Ledger:
    books = Ledger(client, writer)
    await books.customer()
    return books


async def test_partial_payments_leave_the_remainder_open(ledger: Ledger) -> None:
    inv = await ledger.invoice("P-1", "1000.00")
    await ledger.pay("300.00", allocations=[{"invoice_id": inv["id"], "amount": eur("300.00")}])
    assert await ledger.open_balance(inv) == "700.00"
    await ledger.pay("450.00", allocations=[{"invoice_id": inv["id"], "amount": eur("450.00")}])
    assert await ledger.open_balance(inv) == "250.00"
    assert await ledger.status(inv) == "open"


async def test_one_payment_split_over_two_invoices(ledger: Ledger) -> None:
    a = await ledger.invoice("S-1", "400.00")
    b = await ledger.invoice("S-2", "600.00")
    payment = await ledger.pay(
        "700.00",
        allocations=[
            {"invoice_id": a["id"], "amount": eur("400.00")},
            {"invoice_id": b["id"], "amount": eur("300.00")},
        ],
    )
    assert payment["unapplied"] == eur("0.00")
    assert await ledger.open_balance(a) == "0.00"
    assert await ledger.status(a) == "paid"
    assert await ledger.open_balance(b) == "300.00"


async def test_auto_apply_pays_the_oldest_due_first_ties_by_issue_date_then_number(ledger: Ledger) -> None:
    late = await ledger.invoice("A-3", "100.00", issued="2026-09-01", due="2026-10-15")
    tie_b = await ledger.invoice("A-2", "100.00", issued="2026-09-02", due="2026-10-01")
    tie_a = await ledger.invoice("A-1", "100.00", issued="2026-09-02", due="2026-10-01")
    first = await ledger.invoice("A-9", "100.00", issued="2026-09-05", due="2026-09-30")
    payment = await ledger.pay("250.00", on="2026-11-01")
    assert [a["invoice_id"] for a in payment["applications"]] == [first["id"], tie_a["id"], tie_b["id"]]
    assert [a["amount"]["amount"] for a in payment["applications"]] == ["100.00", "100.00", "50.00"]
    assert await ledger.open_balance(tie_b) == "50.00"
    assert await ledger.open_balance(late) == "100.00"


async def test_remittance_reference_matching_an_invoice_number_is_paid_first(ledger: Ledger) -> None:
    old = await ledger.invoice("R-1", "100.00", due="2026-10-10")
    named = await ledger.invoice("R-2", "100.00", due="2026-10-30")
    payment = await ledger.pay("100.00", remittance_reference="r-2")
    assert [a["invoice_id"] for a in payment["applications"]] == [named["id"]]
    assert await ledger.open_balance(old) == "100.00"


async def test_over_payment_leaves_unapplied_cash_and_a_new_invoice_does_not_consume_it(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    inv = await ledger.invoice("O-1", "100.00")
    payment = await ledger.pay("150.00")
    assert payment["unapplied"] == eur("50.00")
    assert await ledger.open_balance(inv) == "0.00"
    later = await ledger.invoice("O-2", "80.00", issued="2026-11-05")
    assert await ledger.open_balance(later) == "80.00"  # issuing never eats unapplied cash
    applied = await client.post(
        f"/v1/payments/{payment['id']}/applications", json={"effective_date": "2026-11-06"}, headers=writer
    )
    assert applied.status_code == 200
    assert applied.json()["unapplied"] == eur("0.00")
    assert await ledger.open_balance(later) == "30.00"


async def test_payment_before_its_invoice_waits_as_unapplied_cash(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    payment = await ledger.pay("200.00", on="2026-09-20")
    assert payment["applications"] == []
    assert payment["unapplied"] == eur("200.00")
    inv = await ledger.invoice("B-1", "200.00", issued="2026-10-01")
    too_early = await client.post(
        f"/v1/payments/{payment['id']}/applications",
        json={
            "effective_date": "2026-09-25",
            "allocations": [{"invoice_id": inv["id"], "amount": eur("200.00")}],
        },
        headers=writer,
    )
    assert too_early.status_code == 422
    assert too_early.json()["code"] == "applied_before_issue"
    applied = await client.post(
        f"/v1/payments/{payment['id']}/applications",
        json={
            "effective_date": "2026-10-01",
            "allocations": [{"invoice_id": inv["id"], "amount": eur("200.00")}],
        },
        headers=writer,
    )
    assert applied.status_code == 200
    assert await ledger.status(inv) == "paid"


async def test_credit_memo_against_an_invoice_reduces_it_and_a_standalone_one_is_applied_later(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    inv = await ledger.invoice("CM-INV", "500.00")
    memo = await client.post(
        "/v1/credit-memos",
        json={
            "customer_external_id": "C-1",
            "memo_number": "CM-1",
            "issue_date": "2026-10-05",
            "amount": eur("120.00"),
            "invoice_id": inv["id"],
            "reason_code": "pricing",
        },
        headers=writer,
    )
    assert memo.status_code == 201, memo.text
    assert memo.json()["unapplied"] == eur("0.00")
    assert await ledger.open_balance(inv) == "380.00"
    standalone = (
        await client.post(
            "/v1/credit-memos",
            json={
                "customer_external_id": "C-1",
                "memo_number": "CM-2",
                "issue_date": "2026-10-06",
                "amount": eur("80.00"),
            },
            headers=writer,
        )
    ).json()
    assert standalone["unapplied"] == eur("80.00")
    applied = await client.post(
        f"/v1/credit-memos/{standalone['id']}/applications",
        json={"effective_date": "2026-10-07"},
        headers=writer,
    )
    assert applied.json()["unapplied"] == eur("0.00")
    assert await ledger.open_balance(inv) == "300.00"


async def test_a_one_cent_residual_is_written_off_and_the_invoice_closes(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    inv = await ledger.invoice("W-1", "100.00")
    await ledger.pay("99.99", allocations=[{"invoice_id": inv["id"], "amount": eur("99.99")}])
    response = await client.post(
        "/v1/write-offs",
        json={
            "invoice_id": inv["id"],
            "amount": eur("0.01"),
            "reason_code": "small_balance",
            "effective_date": "2026-11-02",
        },
        headers=writer,
    )
    assert response.status_code == 201, response.text
    assert await ledger.open_balance(inv) == "0.00"
    assert await ledger.status(inv) == "written_off"


async def test_a_bounced_payment_reopens_what_it_paid_and_cannot_bounce_twice(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    a = await ledger.invoice("X-1", "300.00")
    b = await ledger.invoice("X-2", "200.00", issued="2026-10-02")
    payment = await ledger.pay("600.00")
    assert payment["unapplied"] == eur("100.00")
    reversed_ = await client.post(
        f"/v1/payments/{payment['id']}/reverse",
        json={"reversed_on": "2026-11-10", "reason": "cheque returned"},
        headers=writer,
    )
    assert reversed_.status_code == 200
    assert reversed_.json()["status"] == "reversed"
    assert reversed_.json()["unapplied"] == eur("0.00")
    assert [app["reversed_on"] for app in reversed_.json()["applications"]] == ["2026-11-10", "2026-11-10"]
    assert await ledger.open_balance(a) == "300.00"
    assert await ledger.open_balance(b) == "200.00"
    assert await ledger.status(a) == "open"
    twice = await client.post(
        f"/v1/payments/{payment['id']}/reverse", json={"reversed_on": "2026-11-11"}, headers=writer
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "payment_already_reversed"


async def test_unapply_reopens_the_invoice_and_returns_the_cash(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    inv = await ledger.invoice("U-1", "100.00")
    payment = await ledger.pay("100.00")
    application_id = payment["applications"][0]["id"]
    response = await client.post(
        f"/v1/applications/{application_id}/unapply", json={"effective_date": "2026-11-03"}, headers=writer
    )
    assert response.status_code == 200
    assert response.json()["unapplied"] == eur("100.00")
    assert await ledger.open_balance(inv) == "100.00"
    again = await client.post(
        f"/v1/applications/{application_id}/unapply", json={"effective_date": "2026-11-04"}, headers=writer
    )
    assert again.status_code == 409


async def test_cash_unapplied_from_a_later_date_cannot_be_applied_before_that_date(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await ledger.invoice("U-2", "100.00")
    other = await ledger.invoice("U-3", "100.00")
    payment = await ledger.pay("100.00", on="2026-11-01")  # applied to U-2 on 11-01
    application_id = payment["applications"][0]["id"]
    response = await client.post(
        f"/v1/applications/{application_id}/unapply", json={"effective_date": "2026-11-10"}, headers=writer
    )
    assert response.status_code == 200
    # on 11-05 the 100 still paid U-2: applying it to U-3 then would spend it twice on that day
    allocations = [{"invoice_id": other["id"], "amount": eur("100.00")}]
    early = await client.post(
        f"/v1/payments/{payment['id']}/applications",
        json={"effective_date": "2026-11-05", "allocations": allocations},
        headers=writer,
    )
    assert (early.status_code, early.json()["code"]) == (422, "exceeds_unapplied")
    on_time = await client.post(
        f"/v1/payments/{payment['id']}/applications",
        json={"effective_date": "2026-11-10", "allocations": allocations},
        headers=writer,
    )
    assert on_time.status_code == 200
    assert await ledger.open_balance(other) == "0.00"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("beyond_open_balance", "exceeds_open_balance"),
        ("beyond_payment", "exceeds_unapplied"),
        ("other_customers_invoice", "invoice_of_another_customer"),
        ("wrong_currency", "currency_mismatch"),
        ("zero_amount", "validation_error"),
    ],
)
async def test_bad_payments_are_refused_and_nothing_is_written(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str], case: str, code: str
) -> None:
    inv = await ledger.invoice("E-1", "100.00")
    await ledger.customer("C-2")
    other = await ledger.invoice("E-2", "100.00", customer="C-2")
    bodies: dict[str, dict[str, Any]] = {
        "beyond_open_balance": {
            "amount": eur("150.00"),
            "allocations": [{"invoice_id": inv["id"], "amount": eur("150.00")}],
        },
        "beyond_payment": {
            "amount": eur("50.00"),
            "allocations": [{"invoice_id": inv["id"], "amount": eur("60.00")}],
        },
        "other_customers_invoice": {
            "amount": eur("50.00"),
            "allocations": [{"invoice_id": other["id"], "amount": eur("50.00")}],
        },
        "wrong_currency": {"amount": {"amount": "50.00", "currency": "USD"}},
        "zero_amount": {"amount": eur("0.00")},
    }
    body = {"customer_external_id": "C-1", "received_on": "2026-11-01"} | bodies[case]
    response = await client.post("/v1/payments", json=body, headers=writer)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert await ledger.open_balance(inv) == "100.00"
    customer_id = await ledger.customer("C-1")
    listed = await client.get("/v1/payments", params={"customer_id": customer_id}, headers=writer)
    assert listed.json()["items"] == []


async def test_write_off_or_credit_memo_beyond_the_open_balance_is_refused(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    inv = await ledger.invoice("E-3", "100.00")
    write_off = await client.post(
        "/v1/write-offs",
        json={
            "invoice_id": inv["id"],
            "amount": eur("100.01"),
            "reason_code": "uncollectable",
            "effective_date": "2026-11-02",
        },
        headers=writer,
    )
    assert write_off.status_code == 422
    assert write_off.json()["code"] == "exceeds_open_balance"
    memo = await client.post(
        "/v1/credit-memos",
        json={
            "customer_external_id": "C-1",
            "memo_number": "CM-X",
            "issue_date": "2026-10-05",
            "amount": eur("100.01"),
            "invoice_id": inv["id"],
        },
        headers=writer,
    )
    assert memo.status_code == 422
    assert memo.json()["code"] == "exceeds_open_balance"
    assert await ledger.open_balance(inv) == "100.00"


async def test_voiding_an_invoice_with_a_payment_applied_is_refused(
    ledger: Ledger, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    inv = await ledger.invoice("E-4", "100.00")
    await ledger.pay("10.00")
    response = await client.post(
        f"/v1/invoices/{inv['id']}/void", json={"voided_on": "2026-11-05"}, headers=writer
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_has_applications"
