"""How a dispute case ends for the customer and the ledger: resolved invalid, the customer is told
why and which invoices are due again; resolved partly valid, each item is credited what the
resolution names (the rest dunned again), the memos are asked per item and the case closes when
they arrived; credits that do not fit the case are refused whole (problem+json, nothing written).

The entity's business date is set by hand (D), so every date below is about dates themselves.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ar_collections.models import DisputeHistory
from ar_collections.testing import Book, money
from ar_shared.events.ledger import CreditMemoIssued
from ar_shared.testing.http import assert_problem

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)


async def account_with_invoices(book: Book, *amounts: str) -> tuple[uuid.UUID, list[uuid.UUID]]:
    entity = f"X{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    customer_id = await book.account(entity=entity)
    invoices = [
        await book.invoice(
            customer_id, due=D - timedelta(days=10 * (n + 1)), amount=a, number=f"INV-{n}", entity=entity
        )
        for n, a in enumerate(amounts)
    ]
    return customer_id, invoices


def item(invoice_id: uuid.UUID, amount: str, currency: str = "EUR") -> dict[str, Any]:
    return {"invoice_id": str(invoice_id), "amount": {"amount": amount, "currency": currency}}


async def open_case(
    client: httpx.AsyncClient, headers: dict[str, str], customer_id: uuid.UUID, *items: dict[str, Any]
) -> dict[str, Any]:
    body = {"items": list(items), "reason_code": "pricing"}
    response = await client.post(f"/v1/accounts/{customer_id}/disputes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def move(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, status: str, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/disputes/{case_id}/status", json={"status": status, **extra}, headers=headers
    )


async def paused(client: httpx.AsyncClient, headers: dict[str, str], customer_id: uuid.UUID) -> set[str]:
    dunning = await client.get(f"/v1/accounts/{customer_id}/dunning", headers=headers)
    assert dunning.status_code == 200, dunning.text
    return {p["invoice_id"] for p in dunning.json()["live_pauses"]}


async def test_an_invalid_dispute_tells_the_customer_why_and_which_invoices_are_due_again(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (first, second) = await account_with_invoices(book, "80.00", "40.00")
    case = await open_case(client, manager, customer_id, item(first, "80.00"), item(second, "15.00"))
    response = await move(
        client,
        manager,
        case["id"],
        "resolved_invalid",
        root_cause_code="customer_error",
        note="prices as agreed",
    )
    assert response.status_code == 200, response.text

    [notice] = await book.emitted(customer_id, "NotificationRequested")
    assert notice["template_key"] == "dispute_resolved_invalid"
    assert notice["recipient"] == "ap@customer.example"
    context = notice["context"]
    assert (context["reason"], context["reason_code"], context["root_cause_code"]) == (
        "prices as agreed",
        "pricing",
        "customer_error",
    )
    assert sorted((i["invoice_number"], i["disputed_amount"]) for i in context["items"]) == [
        ("INV-0", "80.00"),
        ("INV-1", "15.00"),
    ]
    assert await paused(client, manager, customer_id) == set()  # both back into dunning


async def test_a_withdrawn_or_valid_case_sends_no_invalid_notice(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (first, second) = await account_with_invoices(book, "80.00", "40.00")
    withdrawn = await open_case(client, manager, customer_id, item(first, "10.00"))
    assert (await move(client, manager, withdrawn["id"], "withdrawn")).status_code == 200
    valid = await open_case(client, manager, customer_id, item(second, "10.00"))
    assert (
        await move(client, manager, valid["id"], "resolved_valid", root_cause_code="billing_error")
    ).status_code == 200
    assert await book.emitted(customer_id, "NotificationRequested") == []


async def test_a_partly_valid_case_credits_each_item_what_it_names_and_duns_the_rest(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (halved, refused, whole) = await account_with_invoices(book, "500.00", "50.00", "30.00")
    case = await open_case(
        client, manager, customer_id, item(halved, "120.00"), item(refused, "50.00"), item(whole, "30.00")
    )
    response = await move(
        client,
        manager,
        case["id"],
        "resolved_valid",
        root_cause_code="billing_error",
        credits=[item(halved, "60.00"), item(refused, "0.00")],
    )
    assert response.status_code == 200, response.text
    credited = {i["invoice_id"]: i["credited"]["amount"] for i in response.json()["items"]}
    assert credited == {str(halved): "60.00", str(refused): "0.00", str(whole): "30.00"}

    requests = {r["invoice_id"]: r for r in await book.emitted(customer_id, "CreditMemoRequested")}
    assert {k: r["amount"]["amount"] for k, r in requests.items()} == {
        str(halved): "60.00",
        str(whole): "30.00",
    }
    outcomes = {o["invoice_id"]: o for o in await book.emitted(customer_id, "DisputeResolved")}
    assert outcomes[str(halved)]["credit_amount"] == {"amount": "60.00", "currency": "EUR"}
    assert outcomes[str(halved)]["disputed_amount"] == {"amount": "120.00", "currency": "EUR"}
    assert outcomes[str(refused)]["credit_amount"] is None
    assert {k: o["resolution"] for k, o in outcomes.items()} == {
        str(halved): "partially_right",
        str(refused): "customer_wrong",
        str(whole): "customer_right",
    }
    # the item credited nothing is dunned at once; the others wait for their memo
    assert await paused(client, manager, customer_id) == {str(halved), str(whole)}

    for n, invoice in enumerate((halved, whole)):
        await book.deliver(
            CreditMemoIssued(
                credit_memo_id=uuid.uuid4(), customer_id=customer_id, memo_number=f"CM-{n}", issue_date=D,
                amount=money(requests[str(invoice)]["amount"]["amount"]), invoice_id=invoice,
                request_id=uuid.UUID(requests[str(invoice)]["request_id"]), dispute_id=uuid.UUID(case["id"]),
            )
        )  # fmt: skip
        if invoice == halved:
            assert (await client.get(f"/v1/disputes/{case['id']}", headers=manager)).json()["closed"] is False
            assert await paused(client, manager, customer_id) == {str(whole)}  # the rest of it is dunned
    closed = (await client.get(f"/v1/disputes/{case['id']}", headers=manager)).json()
    assert closed["closed"] is True
    assert await paused(client, manager, customer_id) == set()


async def history_length(book: Book, case_id: str) -> int:
    async with book.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(DisputeHistory)
            .where(DisputeHistory.case_id == uuid.UUID(case_id))
        )
        return int(count or 0)


async def test_credits_that_do_not_fit_the_case_are_refused_whole_and_nothing_is_written(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer_id, (first, second, outside) = await account_with_invoices(book, "500.00", "50.00", "70.00")
    case = await open_case(client, manager, customer_id, item(first, "120.00"), item(second, "50.00"))

    async def refused(status: int, code: str, **extra: Any) -> dict[str, Any]:
        response = await move(
            client, manager, case["id"], "resolved_valid", root_cause_code="billing_error", **extra
        )
        return assert_problem(response, status, code)

    body = await refused(
        422,
        "above_disputed_amount",
        credits=[
            item(first, "120.01"),
            item(outside, "1.00"),
            item(second, "1.00", "USD"),
            item(first, "1.00"),
        ],
    )
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("credits.0.amount", "above_disputed_amount"),
        ("credits.1.invoice_id", "item_not_in_case"),
        ("credits.2.amount", "currency_mismatch"),
        ("credits.3.invoice_id", "duplicate_item"),
    ]
    nothing = await refused(422, "nothing_credited", credits=[item(first, "0.00"), item(second, "0.00")])
    assert nothing["errors"][0]["field"] == "credits"
    await refused(422, "amount_negative", credits=[item(first, "-1.00")])
    invalid_with_credits = await move(
        client,
        manager,
        case["id"],
        "resolved_invalid",
        root_cause_code="customer_error",
        credits=[item(first, "1.00")],
    )
    assert assert_problem(invalid_with_credits, 422, "credits_not_allowed")["errors"][0]["field"] == "credits"

    after = (await client.get(f"/v1/disputes/{case['id']}", headers=manager)).json()
    assert (after["status"], after["resolved_on"], after["root_cause_code"]) == ("open", None, None)
    assert [i["credited"] for i in after["items"]] == [None, None]
    assert await history_length(book, case["id"]) == 1  # its opening only
    assert await book.emitted(customer_id, "CreditMemoRequested") == []
    assert await book.emitted(customer_id, "DisputeResolved") == []
    assert await book.emitted(customer_id, "NotificationRequested") == []
    assert await paused(client, manager, customer_id) == {str(first), str(second)}
