"""Refunds of unapplied cash and credit: in full or in part, never beyond what is unapplied on their
date and after, a second approver above the threshold, on the statement and in as-of reports."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app
from ar_ledger.models import plumbing
from ar_shared.clock import Clock
from ar_shared.testing.http import bearer, client_for, running

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
async def ledger(
    ledger_settings: LedgerSettings, ledger_schema: None, clock: Clock
) -> AsyncIterator[FastAPI]:
    """A ledger where refunds above 100.00 wait for a second person."""
    settings = ledger_settings.model_copy(update={"refund_approval_threshold": 100})
    async with running(create_app(settings, clock)) as app:
        yield app


@pytest.fixture
async def api(ledger: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(ledger) as client:
        yield client


@pytest.fixture
def manager(ledger_settings: LedgerSettings, clock: Clock) -> dict[str, str]:
    return bearer(ledger_settings.auth, "ledger:read", "ledger:write", subject="ar-manager", clock=clock)


async def call(
    api: httpx.AsyncClient, headers: dict[str, str], method: str, url: str, body: Any = None, **params: Any
) -> tuple[int, dict[str, Any]]:
    key = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
    response = await api.request(method, url, json=body, params=params, headers=headers | key)
    return response.status_code, dict(response.json())


async def customer_with_cash(
    api: httpx.AsyncClient, writer: dict[str, str], external_id: str
) -> dict[str, Any]:
    """A customer with a payment of 500.00 received on 2026-03-01, all of it unapplied."""
    body = {"name": "Refunds", "currency": "EUR", "payment_terms_days": 30, "business_entity": "RF"}
    await api.put(f"/v1/customers/external/{external_id}", json=body, headers=writer)
    status, payment = await call(api, writer, "POST", "/v1/payments", {
        "customer_external_id": external_id, "amount": eur("500.00"), "received_on": "2026-03-01",
        "allocations": [],
    })  # fmt: skip
    assert status == 201, payment
    return payment


async def events(ledger: FastAPI, event_type: str, customer_id: str) -> list[dict[str, Any]]:
    async with ledger.state.sessionmaker() as session:
        o = plumbing.outbox
        query = select(o.c.envelope).where(o.c.event_type == event_type, o.c.message_key == customer_id)
        rows = await session.execute(query)
        return [r.envelope["data"] for r in rows]


async def test_part_of_the_unapplied_cash_is_refunded_and_shows_on_the_statement_and_as_of(
    api: httpx.AsyncClient, ledger: FastAPI, writer: dict[str, str]
) -> None:
    payment = await customer_with_cash(api, writer, "RF-1")
    status, refund = await call(api, writer, "POST", "/v1/refunds", {
        "payment_id": payment["id"], "amount": eur("80.00"), "refund_date": "2026-03-10",
        "reason_code": "overpayment", "method": "wire", "reference": "BANK-1",
    })  # fmt: skip
    assert status == 201, refund
    assert (refund["status"], refund["amount"], refund["source_kind"]) == ("issued", eur("80.00"), "payment")
    _, after = await call(api, writer, "GET", f"/v1/payments/{payment['id']}")
    assert (after["unapplied"], after["refunded"]) == (eur("420.00"), eur("80.00"))

    [issued] = await events(ledger, "ar.ledger.RefundIssued.v1", payment["customer_id"])
    assert issued["amount"] == eur("80.00")
    assert issued["source_unapplied"] == eur("420.00")
    assert (issued["refund_date"], issued["requested_by"], issued["approved_by"]) == (
        "2026-03-10",
        "erp-sync",
        None,
    )

    customer_id = payment["customer_id"]
    _, statement = await call(
        api,
        writer,
        "GET",
        f"/v1/reports/statements/{customer_id}",
        period_start="2026-03-01",
        period_end="2026-03-31",
    )
    lines = [(line["date"], line["kind"], line["amount"], line["balance"]) for line in statement["lines"]]
    assert lines == [
        ("2026-03-01", "payment_received", "-500.00", "-500.00"),
        ("2026-03-10", "refund_issued", "80.00", "-420.00"),
    ]
    for day, cash in (("2026-03-09", "500.00"), ("2026-03-10", "420.00")):
        _, aging = await call(api, writer, "GET", "/v1/reports/aging", as_of=day, customer_id=customer_id)
        assert [t["unapplied_cash"] for t in aging["totals"]] == [cash]


async def test_a_refund_never_takes_what_a_later_application_keeps(
    api: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    payment = await customer_with_cash(api, writer, "RF-2")
    status, invoice = await call(api, writer, "POST", "/v1/invoices", {
        "customer_external_id": "RF-2", "invoice_number": "RF-2-1", "issue_date": "2026-03-01",
        "amount": eur("400.00"),
    })  # fmt: skip
    assert status == 201
    status, _ = await call(api, writer, "POST", f"/v1/payments/{payment['id']}/applications", {
        "effective_date": "2026-03-20",
        "allocations": [{"invoice_id": invoice["id"], "amount": eur("400.00")}],
    })  # fmt: skip
    assert status == 200
    # on 2026-03-10 all 500 is unapplied, but from 2026-03-20 on only 100: that is the most
    request = {"payment_id": payment["id"], "refund_date": "2026-03-10", "reason_code": "overpayment"}
    status, refused = await call(api, writer, "POST", "/v1/refunds", request | {"amount": eur("100.01")})
    assert (status, refused["code"]) == (422, "exceeds_refundable")
    status, early = await call(api, writer, "POST", "/v1/refunds", request | {"refund_date": "2026-02-28"})
    assert (status, early["code"]) == (422, "refund_before_receipt")
    status, everything = await call(api, writer, "POST", "/v1/refunds", request)  # no amount: all there is
    assert (status, everything["amount"]) == (201, eur("100.00"))
    status, nothing = await call(api, writer, "POST", "/v1/refunds", request)
    assert (status, nothing["code"]) == (422, "nothing_to_refund")
    # the refunded payment can no longer bounce: that money already went back
    status, reversal = await call(
        api, writer, "POST", f"/v1/payments/{payment['id']}/reverse", {"reversed_on": "2026-03-25"}
    )
    assert (status, reversal["code"]) == (409, "payment_refunded")


async def test_above_the_threshold_a_refund_waits_for_someone_else(
    api: httpx.AsyncClient, ledger: FastAPI, writer: dict[str, str], manager: dict[str, str]
) -> None:
    payment = await customer_with_cash(api, writer, "RF-3")
    request = {"payment_id": payment["id"], "refund_date": "2026-03-10", "reason_code": "overpayment"}
    status, pending = await call(api, writer, "POST", "/v1/refunds", request | {"amount": eur("150.00")})
    assert (status, pending["status"]) == (202, "pending_approval")
    _, unchanged = await call(api, writer, "GET", f"/v1/payments/{payment['id']}")
    assert (unchanged["unapplied"], unchanged["refunded"]) == (eur("500.00"), eur("0.00"))
    assert await events(ledger, "ar.ledger.RefundIssued.v1", payment["customer_id"]) == []
    _, waiting = await call(
        api, writer, "GET", "/v1/refunds", status="pending_approval", customer_external_id="RF-3"
    )
    assert [r["id"] for r in waiting["items"]] == [pending["id"]]

    status, own = await call(api, writer, "POST", f"/v1/refunds/{pending['id']}/approve", {})
    assert (status, own["code"]) == (403, "own_request")
    status, approved = await call(
        api, manager, "POST", f"/v1/refunds/{pending['id']}/approve", {"note": "ok"}
    )
    assert status == 200, approved
    assert (approved["status"], approved["decided_by"], approved["decision_note"]) == (
        "issued",
        "ar-manager",
        "ok",
    )
    [issued] = await events(ledger, "ar.ledger.RefundIssued.v1", payment["customer_id"])
    assert (issued["requested_by"], issued["approved_by"]) == ("erp-sync", "ar-manager")
    _, paid_back = await call(api, writer, "GET", f"/v1/payments/{payment['id']}")
    assert paid_back["unapplied"] == eur("350.00")

    status, second = await call(api, writer, "POST", "/v1/refunds", request | {"amount": eur("200.00")})
    assert status == 202
    status, rejected = await call(api, manager, "POST", f"/v1/refunds/{second['id']}/reject", {})
    assert (status, rejected["status"]) == (200, "rejected")
    status, again = await call(api, manager, "POST", f"/v1/refunds/{second['id']}/approve", {})
    assert (status, again["code"]) == (409, "refund_not_pending")
    _, still = await call(api, writer, "GET", f"/v1/payments/{payment['id']}")
    assert still["unapplied"] == eur("350.00")


async def test_an_unapplied_credit_memo_is_refunded_in_full(
    api: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    body = {"name": "Refunds", "currency": "EUR", "payment_terms_days": 30, "business_entity": "RF"}
    customer = (await api.put("/v1/customers/external/RF-4", json=body, headers=writer)).json()
    status, memo = await call(api, writer, "POST", "/v1/credit-memos", {
        "customer_external_id": "RF-4", "memo_number": "RF-CM-1", "issue_date": "2026-03-01",
        "amount": eur("80.00"), "reason_code": "returns",
    })  # fmt: skip
    assert status == 201
    refund = {"credit_memo_id": memo["id"], "refund_date": "2026-03-05", "reason_code": "credit_balance"}
    status, issued = await call(api, writer, "POST", "/v1/refunds", refund)
    assert (status, issued["amount"], issued["source_kind"]) == (201, eur("80.00"), "credit_memo")
    _, after = await call(api, writer, "GET", f"/v1/credit-memos/{memo['id']}")
    assert (after["unapplied"], after["refunded"]) == (eur("0.00"), eur("80.00"))
    for day, credits in (("2026-03-04", ["80.00"]), ("2026-03-05", [])):  # then nothing is left
        _, aging = await call(api, writer, "GET", "/v1/reports/aging", as_of=day, customer_id=customer["id"])
        assert [t["unapplied_credits"] for t in aging["totals"]] == credits


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"reason_code": "because"}, 422, "unknown_reason_code"),
        ({"amount": {"amount": "10.00", "currency": "USD"}}, 422, "currency_mismatch"),
        ({"payment_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10"}, 404, "payment_not_found"),
        ({"credit_memo_id": "3f1c2d6e-8b7a-4a47-9d7e-0c2b4c1f9a10"}, 422, "validation_error"),
    ],
)
async def test_a_refund_request_that_cannot_be_right_is_refused_whole(
    api: httpx.AsyncClient,
    ledger: FastAPI,
    writer: dict[str, str],
    change: dict[str, Any],
    status: int,
    code: str,
) -> None:
    payment = await customer_with_cash(api, writer, "RF-5")
    request = {"payment_id": payment["id"], "refund_date": "2026-03-10", "reason_code": "overpayment"}
    answer, problem = await call(api, writer, "POST", "/v1/refunds", request | change)
    assert (answer, problem["code"]) == (status, code), json.dumps(problem)
    _, unchanged = await call(api, writer, "GET", f"/v1/payments/{payment['id']}")
    assert unchanged["unapplied"] == eur("500.00")
