"""Disputes and deductions: a case pauses exactly its items and tells credit; its lifecycle with
history; a valid case asks for credit memos and closes when the ledger's memos (matched by request
id) arrive; an invalid one goes back into dunning; short payments open deductions (or, under the
tolerance, a write-off recommendation); bad input is refused whole; the root-cause report.

The entity's business date is set by hand (D), so every date below is about dates themselves.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ar_collections.models import DisputeCase, DunningPause, Recommendation, plumbing
from ar_collections.testing import Book, money
from ar_shared.events.ledger import CreditMemoIssued, InvoiceVoided, PaymentApplied

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)


async def events(book: Book, customer_id: uuid.UUID, event_type: str) -> list[dict[str, Any]]:
    async with book.session() as session:
        rows = await session.scalars(
            select(plumbing.outbox.c.envelope)
            .where(
                plumbing.outbox.c.event_type == f"ar.collections.{event_type}.v1",
                plumbing.outbox.c.message_key == str(customer_id),
            )
            .order_by(plumbing.outbox.c.id)
        )
        return [dict(e["data"]) for e in rows.all()]


async def account_with_invoices(book: Book, *amounts: str) -> tuple[uuid.UUID, list[uuid.UUID]]:
    entity = f"X{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    customer_id = await book.account(entity=entity)
    invoices = [
        await book.invoice(customer_id, due=D - timedelta(days=10 * (n + 1)), amount=a, entity=entity)
        for n, a in enumerate(amounts)
    ]
    return customer_id, invoices


def applied(
    customer_id: uuid.UUID, invoice_id: uuid.UUID, amount: str, left: str, deduction_reason: str | None = None
) -> PaymentApplied:
    """A payment allocated to the invoice, leaving `left` open."""
    return PaymentApplied(
        application_id=uuid.uuid4(),
        customer_id=customer_id,
        invoice_id=invoice_id,
        source_kind="payment",
        source_id=uuid.uuid4(),
        amount=money(amount),
        effective_date=D,
        invoice_open_balance=money(left),
        deduction_reason=deduction_reason,
    )


def item(invoice_id: uuid.UUID, amount: str, currency: str = "EUR") -> dict[str, Any]:
    return {"invoice_id": str(invoice_id), "amount": {"amount": amount, "currency": currency}}


async def open_dispute(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    customer_id: uuid.UUID,
    *items: dict[str, Any],
    **extra: Any,
) -> httpx.Response:
    body = {"items": list(items), "reason_code": "pricing", **extra}
    return await client.post(f"/v1/accounts/{customer_id}/disputes", json=body, headers=headers)


async def move(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, status: str, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/disputes/{case_id}/status", json={"status": status, **extra}, headers=headers
    )


async def paused_invoices(
    client: httpx.AsyncClient, headers: dict[str, str], customer_id: uuid.UUID
) -> set[str]:
    dunning = await client.get(f"/v1/accounts/{customer_id}/dunning", headers=headers)
    assert dunning.status_code == 200, dunning.text
    return {p["invoice_id"] for p in dunning.json()["live_pauses"]}


async def test_a_dispute_pauses_exactly_its_items_and_tells_credit_per_item(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (first, second, third) = await account_with_invoices(book, "100.00", "200.00", "300.00")
    response = await open_dispute(
        client, manager, customer_id, item(first, "100.00"), item(third, "40.00"),
        owner_kind="department", owner="billing",
    )  # fmt: skip
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["status"] == "open"
    assert case["amount"] == {"amount": "140.00", "currency": "EUR"}
    assert case["due_on"] == (D + timedelta(days=30)).isoformat()
    assert [h["to_status"] for h in case["history"]] == ["open"]
    assert await paused_invoices(client, manager, customer_id) == {str(first), str(third)}
    opened = await events(book, customer_id, "DisputeOpened")
    assert {(e["invoice_id"], e["disputed_amount"]["amount"]) for e in opened} == {
        (str(first), "100.00"),
        (str(third), "40.00"),
    }
    assert {e["case_id"] for e in opened} == {case["id"]}
    assert {e["dispute_id"] for e in opened} == {i["id"] for i in case["items"]}
    assert str(second) not in {e["invoice_id"] for e in opened}


async def test_a_valid_dispute_requests_credit_memos_and_closes_when_the_matching_memo_arrives(
    client: httpx.AsyncClient, collector: dict[str, str], manager: dict[str, str], book: Book
) -> None:
    customer_id, (invoice,) = await account_with_invoices(book, "500.00")
    case = (await open_dispute(client, manager, customer_id, item(invoice, "120.00"))).json()
    assert (await move(client, manager, case["id"], "under_review", note="asked sales")).status_code == 200
    resolved = await move(client, manager, case["id"], "resolved_valid", root_cause_code="billing_error")
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved_valid"
    assert resolved.json()["closed"] is False
    (requested,) = await events(book, customer_id, "CreditMemoRequested")
    assert requested["invoice_id"] == str(invoice)
    assert requested["amount"] == {"amount": "120.00", "currency": "EUR"}
    assert requested["dispute_id"] == case["id"]
    assert requested["reason_code"] == "pricing"
    (outcome,) = await events(book, customer_id, "DisputeResolved")
    assert outcome["resolution"] == "customer_right"
    assert await paused_invoices(client, manager, customer_id) == {str(invoice)}  # until the memo

    # a memo answering another request changes nothing
    await book.deliver(
        CreditMemoIssued(
            credit_memo_id=uuid.uuid4(), customer_id=customer_id, memo_number="CM-OTHER", issue_date=D,
            amount=money("120.00"), invoice_id=invoice, request_id=uuid.uuid4(),
        )
    )  # fmt: skip
    assert (await client.get(f"/v1/disputes/{case['id']}", headers=manager)).json()["closed"] is False
    memo_id = uuid.uuid4()
    await book.deliver(
        CreditMemoIssued(
            credit_memo_id=memo_id, customer_id=customer_id, memo_number="CM-1", issue_date=D,
            amount=money("120.00"), invoice_id=invoice, request_id=uuid.UUID(requested["request_id"]),
            dispute_id=uuid.UUID(case["id"]),
        )
    )  # fmt: skip
    closed = (await client.get(f"/v1/disputes/{case['id']}", headers=manager)).json()
    assert closed["closed"] is True
    assert closed["closed_on"] == D.isoformat()
    assert closed["items"][0]["credit_memo_id"] == str(memo_id)
    assert [h["to_status"] for h in closed["history"]] == ["open", "under_review", "resolved_valid", "closed"]
    assert await paused_invoices(client, manager, customer_id) == set()


async def test_an_invalid_dispute_goes_back_into_dunning_with_its_note(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (invoice,) = await account_with_invoices(book, "80.00")
    case = (await open_dispute(client, manager, customer_id, item(invoice, "80.00"))).json()
    response = await move(
        client,
        manager,
        case["id"],
        "resolved_invalid",
        root_cause_code="customer_error",
        note="prices as agreed",
    )
    assert response.status_code == 200, response.text
    assert response.json()["closed"] is True
    assert response.json()["resolution_note"] == "prices as agreed"
    assert await paused_invoices(client, manager, customer_id) == set()
    (outcome,) = await events(book, customer_id, "DisputeResolved")
    assert outcome["resolution"] == "customer_wrong"
    # the item's reason code was `disputed` while the case held it, and is cleared again
    history = await client.get(f"/v1/accounts/{customer_id}/reason-codes/history", headers=manager)
    assert [(h["invoice_id"], h["code"], h["source"]) for h in history.json()["items"]] == [
        (str(invoice), None, "workflow"),
        (str(invoice), "disputed", "workflow"),
    ]
    assert await events(book, customer_id, "CreditMemoRequested") == []


async def case_count(book: Book, customer_id: uuid.UUID) -> tuple[int, int]:
    async with book.session() as session:
        cases = await session.scalar(
            select(func.count()).select_from(DisputeCase).where(DisputeCase.customer_id == customer_id)
        )
        pauses = await session.scalar(
            select(func.count()).select_from(DunningPause).where(DunningPause.customer_id == customer_id)
        )
        return int(cases or 0), int(pauses or 0)


async def test_disputes_on_paid_or_voided_invoices_or_above_the_open_balance_are_refused_whole(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (paid, voided, open_one) = await account_with_invoices(book, "100.00", "50.00", "70.00")
    await book.deliver(applied(customer_id, paid, "100.00", "0.00"))
    await book.deliver(
        InvoiceVoided(
            invoice_id=voided,
            customer_id=customer_id,
            invoice_number="V-1",
            amount=money("50.00"),
            voided_on=D,
        )
    )
    response = await open_dispute(
        client, manager, customer_id, item(open_one, "70.00"), item(paid, "10.00"), item(voided, "10.00"),
        item(open_one, "70.01"),
    )  # fmt: skip
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert ("items.1.invoice_id", "invoice_paid") in errors
    assert ("items.2.invoice_id", "invoice_voided") in errors
    assert ("items.3.amount", "above_open_balance") in errors
    assert ("items", "duplicate_item") in errors
    assert await case_count(book, customer_id) == (0, 0)
    assert await events(book, customer_id, "DisputeOpened") == []
    alone = await open_dispute(client, manager, customer_id, item(open_one, "70.01"))
    assert alone.status_code == 422
    assert alone.json()["code"] == "above_open_balance"


async def test_an_item_in_an_open_case_cannot_be_disputed_again(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (invoice,) = await account_with_invoices(book, "100.00")
    assert (await open_dispute(client, manager, customer_id, item(invoice, "10.00"))).status_code == 201
    again = await open_dispute(client, manager, customer_id, item(invoice, "20.00"))
    assert again.status_code == 422
    assert again.json()["errors"][0] == {
        "field": "items.0.invoice_id",
        "message": f"{invoice} is in an open case already",
        "code": "already_disputed",
    }


async def test_resolving_a_closed_case_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (invoice,) = await account_with_invoices(book, "100.00")
    case = (await open_dispute(client, manager, customer_id, item(invoice, "10.00"))).json()
    assert (await move(client, manager, case["id"], "withdrawn", note="customer paid")).status_code == 200
    again = await move(client, manager, case["id"], "resolved_valid", root_cause_code="billing_error")
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["code"] == "case_closed"
    assert again.json()["errors"][0]["field"] == "status"
    after = (await client.get(f"/v1/disputes/{case['id']}", headers=manager)).json()
    assert after["status"] == "withdrawn"
    assert [h["to_status"] for h in after["history"]] == ["open", "withdrawn"]
    assert await events(book, customer_id, "CreditMemoRequested") == []


async def test_a_case_is_resolved_with_its_root_cause(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (invoice,) = await account_with_invoices(book, "100.00")
    case = (await open_dispute(client, manager, customer_id, item(invoice, "10.00"))).json()
    response = await move(client, manager, case["id"], "resolved_valid")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "root_cause_code"
    assert (await client.get(f"/v1/disputes/{case['id']}", headers=manager)).json()["status"] == "open"


async def test_a_short_payment_with_a_deduction_reason_opens_a_deduction_case(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (invoice,) = await account_with_invoices(book, "1000.00")
    await book.deliver(applied(customer_id, invoice, "950.00", "50.00", "damaged_goods"))
    listed = (await client.get(f"/v1/accounts/{customer_id}/disputes", headers=manager)).json()["items"]
    (case,) = listed
    assert case["kind"] == "deduction"
    assert case["reason_code"] == "damaged_goods"
    assert case["amount"] == {"amount": "50.00", "currency": "EUR"}
    assert case["items"][0]["invoice_id"] == str(invoice)
    assert await paused_invoices(client, manager, customer_id) == {str(invoice)}
    assert len(await events(book, customer_id, "DisputeOpened")) == 1


async def test_a_short_payment_under_the_tolerance_is_recommended_for_write_off_instead(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (invoice, plain) = await account_with_invoices(book, "1000.00", "100.00")
    await book.deliver(applied(customer_id, invoice, "997.50", "2.50", "bank_charges"))
    # a partial payment without a deduction reason is just that
    await book.deliver(applied(customer_id, plain, "60.00", "40.00"))
    assert (await client.get(f"/v1/accounts/{customer_id}/disputes", headers=manager)).json()["items"] == []
    async with book.session() as session:
        (recommendation,) = (
            await session.scalars(select(Recommendation).where(Recommendation.customer_id == customer_id))
        ).all()
    assert recommendation.kind == "write_off"
    assert recommendation.source == "short_payment"
    assert recommendation.amount_minor == 250
    assert recommendation.reason_code == "small_balance"
    (recommended,) = await events(book, customer_id, "WriteOffRecommended")
    assert recommended["amount"] == {"amount": "2.50", "currency": "EUR"}


async def test_the_root_cause_report_counts_cases_and_amounts_by_reason_and_root_cause(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (a, b, c) = await account_with_invoices(book, "100.00", "100.00", "100.00")
    reason = f"r{uuid.uuid4().hex[:8]}"
    first = (await open_dispute(client, manager, customer_id, item(a, "10.00"), reason_code=reason)).json()
    second = (await open_dispute(client, manager, customer_id, item(b, "20.00"), reason_code=reason)).json()
    await open_dispute(client, manager, customer_id, item(c, "5.00"), reason_code=reason)
    await move(client, manager, first["id"], "resolved_valid", root_cause_code="billing_error")
    await move(client, manager, second["id"], "resolved_invalid", root_cause_code="billing_error")
    params = {"opened_from": D.isoformat(), "opened_to": D.isoformat()}
    report = await client.get("/v1/reports/dispute-root-causes", params=params, headers=manager)
    assert report.status_code == 200, report.text
    lines = [line for line in report.json()["lines"] if line["reason_code"] == reason]
    assert [(line["root_cause_code"], line["cases"], line["amount"]["amount"]) for line in lines] == [
        (None, 1, "5.00"),
        ("billing_error", 2, "30.00"),
    ]
    assert lines[1]["valid"] == 1
    assert lines[1]["invalid"] == 1
    assert lines[1]["average_days_to_resolve"] == "0.0"
    as_csv = await client.get(
        "/v1/reports/dispute-root-causes", params={**params, "format": "csv"}, headers=manager
    )
    assert as_csv.status_code == 200
    rows = [r for r in csv.DictReader(io.StringIO(as_csv.text)) if r["reason_code"] == reason]
    assert [(r["root_cause_code"], r["cases"], r["amount"]) for r in rows] == [
        ("", "1", "5.00"),
        ("billing_error", "2", "30.00"),
    ]
    reversed_period = await client.get(
        "/v1/reports/dispute-root-causes",
        params={"opened_from": D.isoformat(), "opened_to": (D - timedelta(days=1)).isoformat()},
        headers=manager,
    )
    assert reversed_period.status_code == 422
