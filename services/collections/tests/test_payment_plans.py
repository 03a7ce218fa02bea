"""Payment plans through the API, monitored from ledger events handled as the worker handles them:
a plan kept instalment by instalment and then breached, a plan paid off closing itself, the
pauses on exactly its items, and the refusals (nothing written).

Each test has its own business entity whose business date is set by hand, derived from the test
clock: dates are compared with each other, never with the wall clock.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ar_collections.models import PaymentPlan, Task, plumbing
from ar_collections.testing import Book, money
from ar_shared.testing.clock import TEST_CLOCK

pytestmark = pytest.mark.integration

TODAY = TEST_CLOCK.now().date()


def entity_of_test() -> str:
    return f"L{uuid.uuid4().hex[:7].upper()}"


async def account(book: Book, entity: str, *amounts: str) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """An account with overdue invoices (oldest first) on an entity standing at TODAY."""
    await book.business_date(entity, TODAY)
    customer = await book.account(entity=entity)
    invoices = [
        await book.invoice(customer, due=TODAY - timedelta(days=30 - n), amount=a, entity=entity)
        for n, a in enumerate(amounts)
    ]
    return customer, invoices


async def live_paused(client: httpx.AsyncClient, headers: dict[str, str], customer: uuid.UUID) -> set[str]:
    response = await client.get(f"/v1/accounts/{customer}/dunning", headers=headers)
    assert response.status_code == 200, response.text
    return {p["invoice_id"] for p in response.json()["live_pauses"]}


async def reason_codes(
    client: httpx.AsyncClient, headers: dict[str, str], customer: uuid.UUID
) -> dict[str, str]:
    response = await client.get(f"/v1/accounts/{customer}", headers=headers)
    assert response.status_code == 200, response.text
    return {i["invoice_id"]: i["reason_code"] for i in response.json()["open_items"] if i["reason_code"]}


def instalment(days: int, amount: str) -> dict[str, Any]:
    return {"due_date": (TODAY + timedelta(days=days)).isoformat(), "amount": money(amount).model_dump()}


async def agree(
    client: httpx.AsyncClient, headers: dict[str, str], customer: uuid.UUID, **body: Any
) -> httpx.Response:
    return await client.post(f"/v1/accounts/{customer}/payment-plans", json=body, headers=headers)


async def plan(client: httpx.AsyncClient, headers: dict[str, str], customer: uuid.UUID, plan_id: str) -> Any:
    response = await client.get(f"/v1/accounts/{customer}/payment-plans/{plan_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_plan_kept_for_its_first_instalments_is_breached_by_a_missed_one(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = entity_of_test()
    customer, (first, second, left_out) = await account(book, entity, "300.00", "200.00", "80.00")
    response = await agree(
        client,
        manager,
        customer,
        invoice_ids=[str(first), str(second)],
        down_payment=instalment(0, "100.00"),
        instalments=[instalment(10, "200.00"), instalment(20, "200.00")],
        tolerance_days=2,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [(i["number"], i["down_payment"], i["status"]) for i in body["instalments"]] == [
        (0, True, "pending"),
        (1, False, "pending"),
        (2, False, "pending"),
    ]
    assert body["total"]["amount"] == "500.00"
    assert await live_paused(client, manager, customer) == {str(first), str(second)}
    assert await reason_codes(client, manager, customer) == {
        str(first): "payment_plan",
        str(second): "payment_plan",
    }
    [confirmation] = await book.emitted(customer, "NotificationRequested")
    assert confirmation["template_key"] == "payment_plan_confirmation"
    assert confirmation["business_entity"] == entity  # the delivery log is filtered by it
    assert [i["amount"] for i in confirmation["context"]["instalments"]] == ["100.00", "200.00", "200.00"]
    assert len(await book.emitted(customer, "PaymentPlanAgreed")) == 1

    await book.pay(customer, first, "100.00", "200.00", TODAY)
    await book.business_date(entity, TODAY + timedelta(days=9))
    await book.pay(customer, first, "200.00", "0.00", TODAY + timedelta(days=9))
    kept = await plan(client, manager, customer, body["id"])
    assert [i["status"] for i in kept["instalments"]] == ["kept", "kept", "pending"]
    assert kept["status"] == "active"

    await book.business_date(entity, TODAY + timedelta(days=22))  # the last day of the tolerance
    assert (await plan(client, manager, customer, body["id"]))["instalments"][2]["status"] == "due"
    await book.business_date(entity, TODAY + timedelta(days=23))

    breached = await plan(client, manager, customer, body["id"])
    assert (breached["status"], breached["closed_on"]) == (
        "breached",
        (TODAY + timedelta(days=23)).isoformat(),
    )
    assert [i["status"] for i in breached["instalments"]] == ["kept", "kept", "missed"]
    assert await live_paused(client, manager, customer) == set()
    assert await reason_codes(client, manager, customer) == {}
    [event] = await book.emitted(customer, "PaymentPlanBreached")
    assert event["missed_instalments"] == [2]
    async with book.session() as session:
        titles = (await session.scalars(select(Task.title).where(Task.customer_id == customer))).all()
    assert any(t.startswith("Payment plan breached") for t in titles)
    assert left_out


async def test_a_plan_paid_off_closes_itself(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = entity_of_test()
    customer, (invoice,) = await account(book, entity, "90.00")
    created = await agree(
        client,
        manager,
        customer,
        invoice_ids=[str(invoice)],
        instalments=[instalment(5, "45.00"), instalment(15, "45.00")],
    )
    assert created.status_code == 201, created.text
    view = (await client.get(f"/v1/accounts/{customer}", headers=manager)).json()
    assert [p["id"] for p in view["payment_plans"]] == [created.json()["id"]]

    await book.pay(customer, invoice, "90.00", "0.00", TODAY + timedelta(days=1))

    done = await plan(client, manager, customer, created.json()["id"])
    assert (done["status"], [i["status"] for i in done["instalments"]]) == ("completed", ["kept", "kept"])
    assert await live_paused(client, manager, customer) == set()
    assert len(await book.emitted(customer, "PaymentPlanCompleted")) == 1


async def test_refused_plans_write_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer, (invoice, promised) = await account(book, entity_of_test(), "100.00", "40.00")
    taken = await client.post(
        f"/v1/accounts/{customer}/promises",
        json={
            "amount": money("40.00").model_dump(),
            "promised_date": TODAY.isoformat(),
            "channel": "email",
            "invoice_ids": [str(promised)],
        },
        headers=manager,
    )
    assert taken.status_code == 201, taken.text
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"instalments": [instalment(5, "50.00"), instalment(10, "40.00")]},
            "instalments",
            "instalments_do_not_add_up",
        ),
        (
            {"instalments": [instalment(10, "50.00"), instalment(5, "50.00")]},
            "instalments.1.due_date",
            "instalments_not_in_date_order",
        ),
        (
            {"down_payment": instalment(6, "10.00"), "instalments": [instalment(5, "90.00")]},
            "instalments.0.due_date",
            "instalments_not_in_date_order",
        ),
        ({"instalments": [instalment(-1, "100.00")]}, "instalments.0.due_date", "instalment_in_the_past"),
    ]
    async with book.session() as session:
        before = await session.scalar(select(func.count()).select_from(plumbing.outbox))
    for body, field, code in cases:
        response = await agree(client, manager, customer, invoice_ids=[str(invoice)], **body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert {"field": field, "code": code} in [
            {"field": e["field"], "code": e["code"]} for e in response.json()["errors"]
        ]
    over_promised = await agree(
        client, manager, customer, invoice_ids=[str(promised)], instalments=[instalment(5, "40.00")]
    )
    assert over_promised.status_code == 422
    assert over_promised.json()["errors"][0]["code"] == "item_already_covered"
    async with book.session() as session:
        assert await session.scalar(select(func.count()).select_from(plumbing.outbox)) == before
        assert (
            await session.scalar(
                select(func.count()).select_from(PaymentPlan).where(PaymentPlan.customer_id == customer)
            )
            == 0
        )
