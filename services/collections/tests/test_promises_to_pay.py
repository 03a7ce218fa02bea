"""Promises to pay through the API, judged from ledger events handled as the worker handles them:
kept, partially kept, broken on the right business date, reopened by a reversal; the pauses they
put on exactly their items, the strategy run dunning a broken promise's items the same day, the
notices, the contact history, the worklist, escalation after repeated broken promises, and the
refusals (nothing written).

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

from ar_collections.dunning.run import StrategyRuns
from ar_collections.models import Activity, DunningPause, PromiseToPay, Task, plumbing
from ar_collections.testing import Book, money
from ar_shared.events.ledger import PaymentApplied, PaymentUnapplied
from ar_shared.testing.clock import TEST_CLOCK

pytestmark = pytest.mark.integration

TODAY = TEST_CLOCK.now().date()


def entity_of_test() -> str:
    return f"P{uuid.uuid4().hex[:7].upper()}"


async def account(book: Book, entity: str, *amounts: str) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """An account with overdue invoices (oldest first) on an entity standing at TODAY."""
    await book.business_date(entity, TODAY)
    customer = await book.account(entity=entity)
    invoices = [
        await book.invoice(
            customer, due=TODAY - timedelta(days=30 - 5 * n), amount=a, number=f"INV-{n}", entity=entity
        )
        for n, a in enumerate(amounts)
    ]
    return customer, invoices


@pytest.fixture
async def one_invoice(book: Book) -> tuple[str, uuid.UUID, uuid.UUID]:
    """An entity of the test's own standing at TODAY, an account on it and its one overdue invoice
    of 100.00: (entity, account, invoice)."""
    entity = entity_of_test()
    customer, (invoice,) = await account(book, entity, "100.00")
    return entity, customer, invoice


async def promise(
    client: httpx.AsyncClient, headers: dict[str, str], customer: uuid.UUID, **body: Any
) -> httpx.Response:
    body.setdefault("channel", "call")
    body.setdefault("promised_date", TODAY.isoformat())
    return await client.post(f"/v1/accounts/{customer}/promises", json=body, headers=headers)


async def get(client: httpx.AsyncClient, headers: dict[str, str], customer: uuid.UUID, pid: str) -> Any:
    response = await client.get(f"/v1/accounts/{customer}/promises/{pid}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


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


async def test_a_promise_over_the_oldest_items_pauses_exactly_them_and_is_confirmed_and_logged(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = entity_of_test()
    customer, (oldest, second, third) = await account(book, entity, "100.00", "50.00", "70.00")

    response = await promise(
        client,
        manager,
        customer,
        amount=money("120.00").model_dump(),
        contact="Jane, AP",
        promised_date=(TODAY + timedelta(days=7)).isoformat(),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["invoice_ids"] == [str(oldest), str(second)]
    assert body["status"] == "open"
    assert body["tolerance_days"] == 3  # the installation's default
    assert body["deadline"] == (TODAY + timedelta(days=10)).isoformat()
    assert await live_paused(client, manager, customer) == {str(oldest), str(second)}
    assert await reason_codes(client, manager, customer) == {str(oldest): "promised", str(second): "promised"}
    [recorded] = await book.emitted(customer, "PromiseToPayRecorded")
    assert recorded["invoice_ids"] == [str(oldest), str(second)]
    [notice] = await book.emitted(customer, "NotificationRequested")
    assert notice["template_key"] == "promise_confirmation"
    assert notice["context"]["amount"] == "120.00"
    history = (await client.get(f"/v1/accounts/{customer}/activities", headers=manager)).json()["items"]
    assert [(a["kind"], a["outcome"], a["id"]) for a in history] == [
        ("call", "promised_to_pay", body["activity_id"])
    ]
    listed = await client.get("/v1/promises", params={"status": "open"}, headers=manager)
    assert str(body["id"]) in {p["id"] for p in listed.json()["items"]}
    assert third  # left alone: not covered, not paused


async def test_paid_in_full_is_kept_at_once_and_a_reversal_before_the_deadline_reopens_it(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    one_invoice: tuple[str, uuid.UUID, uuid.UUID],
) -> None:
    _, customer, invoice = one_invoice
    pid = (await promise(client, manager, customer, amount=money("100.00").model_dump())).json()["id"]

    payment = await book.pay(customer, invoice, "100.00", "0.00", TODAY)

    kept = await get(client, manager, customer, pid)
    assert (kept["status"], kept["received"]["amount"], kept["judged_on"]) == (
        "kept",
        "100.00",
        TODAY.isoformat(),
    )
    assert await live_paused(client, manager, customer) == set()
    [event] = await book.emitted(customer, "PromiseToPayKept")
    assert event["outcome"] == "kept"

    await book.reverse(customer, payment, invoice, "100.00", "100.00", TODAY)

    reopened = await get(client, manager, customer, pid)
    assert (reopened["status"], reopened["received"]["amount"], reopened["judged_on"]) == (
        "open",
        "0.00",
        None,
    )
    assert await live_paused(client, manager, customer) == {str(invoice)}
    assert await reason_codes(client, manager, customer) == {str(invoice): "promised"}
    assert len(await book.emitted(customer, "PromiseToPayReopened")) == 1


async def test_part_paid_is_partially_kept_on_the_first_business_day_after_the_tolerance(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    one_invoice: tuple[str, uuid.UUID, uuid.UUID],
) -> None:
    entity, customer, invoice = one_invoice
    pid = (
        await promise(client, manager, customer, amount=money("100.00").model_dump(), tolerance_days=2)
    ).json()["id"]
    await book.pay(customer, invoice, "40.00", "60.00", TODAY + timedelta(days=1))

    await book.business_date(entity, TODAY + timedelta(days=2))  # the last day of the tolerance
    assert (await get(client, manager, customer, pid))["status"] == "open"
    await book.business_date(entity, TODAY + timedelta(days=3))

    judged = await get(client, manager, customer, pid)
    assert (judged["status"], judged["received"]["amount"]) == ("partially_kept", "40.00")
    assert judged["judged_on"] == (TODAY + timedelta(days=3)).isoformat()
    [event] = await book.emitted(customer, "PromiseToPayPartiallyKept")
    assert event["received"]["amount"] == "40.00"
    assert await book.emitted(customer, "PromiseToPayBroken") == []
    [notice] = [
        n
        for n in await book.emitted(customer, "NotificationRequested")
        if n["template_key"] == "partially_kept_promise"
    ]
    assert notice["recipient"] == "ap@customer.example"
    assert notice["causing_event_id"] is not None
    assert {k: notice["context"][k] for k in ("amount", "paid", "missing", "currency", "promised_date")} == {
        "amount": "100.00",
        "paid": "40.00",
        "missing": "60.00",
        "currency": "EUR",
        "promised_date": TODAY.isoformat(),
    }
    # the next business date judges nothing again: one notice
    await book.business_date(entity, TODAY + timedelta(days=4))
    notices = [n["template_key"] for n in await book.emitted(customer, "NotificationRequested")]
    assert notices.count("partially_kept_promise") == 1


async def test_a_credit_memo_on_the_items_lowers_the_cash_that_keeps_the_promise(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    one_invoice: tuple[str, uuid.UUID, uuid.UUID],
) -> None:
    _, customer, invoice = one_invoice
    pid = (
        await promise(client, manager, customer, amount=money("100.00").model_dump(), tolerance_days=1)
    ).json()["id"]
    await book.deliver(
        PaymentApplied(
            application_id=uuid.uuid4(),
            customer_id=customer,
            invoice_id=invoice,
            source_kind="credit_memo",
            source_id=uuid.uuid4(),
            amount=money("30.00"),
            effective_date=TODAY,
            invoice_open_balance=money("70.00"),
        )
    )
    credited = await get(client, manager, customer, pid)
    assert (credited["status"], credited["received"]["amount"]) == ("open", "0.00")  # a credit is no cash

    await book.pay(customer, invoice, "70.00", "0.00", TODAY + timedelta(days=1))

    kept = await get(client, manager, customer, pid)
    assert (kept["status"], kept["received"]["amount"]) == ("kept", "70.00")
    assert await live_paused(client, manager, customer) == set()
    assert len(await book.emitted(customer, "PromiseToPayKept")) == 1


async def test_a_credit_memo_without_enough_cash_still_leaves_the_promise_partially_kept(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    one_invoice: tuple[str, uuid.UUID, uuid.UUID],
) -> None:
    entity, customer, invoice = one_invoice
    pid = (
        await promise(client, manager, customer, amount=money("100.00").model_dump(), tolerance_days=0)
    ).json()["id"]
    await book.deliver(
        PaymentApplied(
            application_id=uuid.uuid4(),
            customer_id=customer,
            invoice_id=invoice,
            source_kind="credit_memo",
            source_id=uuid.uuid4(),
            amount=money("30.00"),
            effective_date=TODAY,
            invoice_open_balance=money("70.00"),
        )
    )
    await book.pay(customer, invoice, "50.00", "20.00", TODAY)
    await book.business_date(entity, TODAY + timedelta(days=1))

    judged = await get(client, manager, customer, pid)
    assert (judged["status"], judged["received"]["amount"]) == ("partially_kept", "50.00")
    [notice] = [
        n
        for n in await book.emitted(customer, "NotificationRequested")
        if n["template_key"] == "partially_kept_promise"
    ]
    assert (notice["context"]["paid"], notice["context"]["credited"], notice["context"]["missing"]) == (
        "50.00",
        "30.00",
        "20.00",
    )


async def test_a_promise_breaks_on_the_day_after_its_tolerance_and_that_days_run_duns_its_items(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = entity_of_test()
    strategy = f"ptp-{entity.lower()}"
    created = await client.post(
        "/v1/dunning-strategies",
        json={"name": strategy, "steps": [{"days": 1, "action": "call_task", "sla_days": 2}]},
        headers=manager,
    )
    assert created.status_code == 201, created.text
    segment = await client.post(
        "/v1/strategy-segments",
        json={
            "name": entity,
            "strategy": strategy,
            "priority": uuid.uuid4().int % 900_000 + 1000,
            "business_entity": entity,
        },
        headers=manager,
    )
    assert segment.status_code == 201, segment.text
    customer, (invoice,) = await account(book, entity, "100.00")
    pid = (
        await promise(client, manager, customer, amount=money("100.00").model_dump(), tolerance_days=1)
    ).json()["id"]
    runs = StrategyRuns(book.app.state.sessionmaker, book.app.state.clock, book.app.state.settings)

    await book.business_date(entity, TODAY + timedelta(days=1))
    await runs.run_pending()
    assert (await get(client, manager, customer, pid))["status"] == "open"
    assert await live_paused(client, manager, customer) == {str(invoice)}
    dunning = (await client.get(f"/v1/accounts/{customer}/dunning", headers=manager)).json()
    assert dunning["fired"] == []  # paused: nothing fired while the promise lives

    await book.business_date(entity, TODAY + timedelta(days=2))
    await runs.run_pending()

    broken = await get(client, manager, customer, pid)
    assert (broken["status"], broken["judged_on"]) == ("broken", (TODAY + timedelta(days=2)).isoformat())
    assert await live_paused(client, manager, customer) == set()
    assert await reason_codes(client, manager, customer) == {}
    dunning = (await client.get(f"/v1/accounts/{customer}/dunning", headers=manager)).json()
    assert [(f["action"], f["fired_on"]) for f in dunning["fired"]] == [
        ("call_task", (TODAY + timedelta(days=2)).isoformat())
    ]
    notices = [n["template_key"] for n in await book.emitted(customer, "NotificationRequested")]
    assert notices == ["promise_confirmation", "broken_promise"]
    async with book.session() as session:
        titles = (await session.scalars(select(Task.title).where(Task.customer_id == customer))).all()
        notes = (
            await session.scalars(
                select(Activity.summary).where(Activity.customer_id == customer, Activity.kind == "note")
            )
        ).all()
    assert any(t.startswith("Broken promise") for t in titles)
    assert any("broken" in n for n in notes)
    view = (await client.get(f"/v1/accounts/{customer}", headers=manager)).json()
    assert view["promises"]["broken"] == 1
    assert view["promises"]["open"] == []


async def test_the_third_broken_promise_escalates_to_the_manager(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = entity_of_test()
    customer, invoices = await account(book, entity, "10.00", "20.00", "30.00")
    for invoice, amount in zip(invoices, ("10.00", "20.00", "30.00"), strict=True):
        response = await promise(
            client,
            manager,
            customer,
            amount=money(amount).model_dump(),
            invoice_ids=[str(invoice)],
            tolerance_days=0,
        )
        assert response.status_code == 201, response.text
    await book.business_date(entity, TODAY + timedelta(days=1))

    assert len(await book.emitted(customer, "PromiseToPayBroken")) == 3
    raised = await book.emitted(customer, "EscalationRaised")
    [escalation] = [e for e in raised if e["level"] == "manager"]
    assert escalation["reason"] == "3 broken promises to pay"
    # and, apart, the red flag for the credit manager (red_flags: repeated broken promises)
    [red_flag] = [e for e in raised if e["level"] == "department"]
    assert red_flag["department"] == "credit"
    assert red_flag["reason"].startswith("Red flag: 3 promises to pay broken within 90 days")


async def test_refused_promises_write_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer, (invoice, other) = await account(book, entity_of_test(), "100.00", "50.00")
    taken = await promise(
        client, manager, customer, amount=money("50.00").model_dump(), invoice_ids=[str(other)]
    )
    assert taken.status_code == 201
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"amount": money("10.00").model_dump(), "promised_date": (TODAY - timedelta(days=1)).isoformat()},
            "promised_date",
            "promise_in_the_past",
        ),
        (
            {"amount": money("100.01").model_dump(), "invoice_ids": [str(invoice)]},
            "amount.amount",
            "above_open_balance",
        ),
        (
            {"amount": money("10.00", "USD").model_dump(), "invoice_ids": [str(invoice)]},
            "amount.currency",
            "currency_mismatch",
        ),
        (
            {"amount": money("10.00").model_dump(), "invoice_ids": [str(other)]},
            "invoice_ids.0",
            "item_already_promised",
        ),
        ({"amount": money("10.00", "USD").model_dump()}, "amount.currency", "currency_mismatch"),
    ]
    async with book.session() as session:
        before = await session.scalar(select(func.count()).select_from(plumbing.outbox))
    for body, field, code in cases:
        response = await promise(client, manager, customer, **body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert {"field": field, "code": code} in [
            {"field": e["field"], "code": e["code"]} for e in response.json()["errors"]
        ]
    async with book.session() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(PromiseToPay).where(PromiseToPay.customer_id == customer)
            )
            == 1
        )
        assert (
            await session.scalar(
                select(func.count()).select_from(DunningPause).where(DunningPause.customer_id == customer)
            )
            == 1
        )
        assert await session.scalar(select(func.count()).select_from(plumbing.outbox)) == before


async def test_a_broken_promise_puts_the_account_at_the_top_of_the_worklist_until_the_next_contact(
    client: httpx.AsyncClient, collector: dict[str, str], book: Book
) -> None:
    entity = entity_of_test()
    await book.business_date(entity, TODAY)
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    bigger = await book.account(entity=entity, portfolio_id=portfolio)
    await book.invoice(bigger, due=TODAY - timedelta(days=30), amount="900.00", entity=entity)
    promised = await book.account(entity=entity, portfolio_id=portfolio)
    await book.invoice(promised, due=TODAY - timedelta(days=30), amount="100.00", entity=entity)
    recorded = await promise(
        client, collector, promised, amount=money("100.00").model_dump(), channel="portal"
    )
    assert recorded.status_code == 201, recorded.text

    def promise_part(item: dict[str, Any]) -> str:
        return str(next(p["value"] for p in item["score_parts"] if p["part"] == "promise"))

    async def worklist() -> list[dict[str, Any]]:
        response = await client.get("/v1/worklist", params={"limit": 200}, headers=collector)
        assert response.status_code == 200, response.text
        return [i for i in response.json()["items"] if i["customer_id"] in {str(bigger), str(promised)}]

    due_today = {i["customer_id"]: promise_part(i) for i in await worklist()}
    assert due_today == {str(bigger): "0", str(promised): "1"}

    await book.business_date(entity, TODAY + timedelta(days=4))  # past the 3 days' tolerance: broken
    top = await worklist()
    assert [(i["customer_id"], promise_part(i)) for i in top] == [(str(promised), "2"), (str(bigger), "0")]

    logged = await client.post(
        f"/v1/accounts/{promised}/activities",
        json={"kind": "call", "outcome": "no_answer", "summary": "Called about the broken promise"},
        headers=collector,
    )
    assert logged.status_code == 201, logged.text
    after_call = {i["customer_id"]: promise_part(i) for i in await worklist()}
    assert after_call[str(promised)] == "0"


async def test_a_collector_lists_the_promises_of_their_own_accounts_only(
    client: httpx.AsyncClient, collector: dict[str, str], manager: dict[str, str], book: Book
) -> None:
    entity = entity_of_test()
    await book.business_date(entity, TODAY)
    mine = await book.account(
        entity=entity, portfolio_id=await book.portfolio(await book.collector("collector-anna"))
    )
    theirs = await book.account(
        entity=entity, portfolio_id=await book.portfolio(await book.collector(f"ben-{entity}"))
    )
    ids = {}
    for customer in (mine, theirs):
        await book.invoice(customer, due=TODAY - timedelta(days=3), amount="10.00", entity=entity)
        response = await promise(client, manager, customer, amount=money("10.00").model_dump())
        assert response.status_code == 201, response.text
        ids[customer] = response.json()["id"]

    listed = await client.get("/v1/promises", params={"status": "open", "limit": 200}, headers=collector)

    assert listed.status_code == 200, listed.text
    seen = {p["id"] for p in listed.json()["items"]}
    assert ids[mine] in seen
    assert ids[theirs] not in seen
    hidden = await client.get(f"/v1/accounts/{theirs}/promises/{ids[theirs]}", headers=collector)
    assert hidden.status_code == 404


async def test_a_retried_submit_with_its_idempotency_key_records_the_promise_once(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer, _ = await account(book, entity_of_test(), "100.00")
    body = {"amount": money("60.00").model_dump(), "promised_date": TODAY.isoformat(), "channel": "email"}
    headers = manager | {"Idempotency-Key": f"ptp-{uuid.uuid4()}"}

    first = await client.post(f"/v1/accounts/{customer}/promises", json=body, headers=headers)
    again = await client.post(f"/v1/accounts/{customer}/promises", json=body, headers=headers)

    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"]
    assert len(await book.emitted(customer, "PromiseToPayRecorded")) == 1


async def test_an_unapplied_payment_reopens_a_kept_promise(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    customer, (invoice,) = await account(book, entity_of_test(), "80.00")
    pid = (await promise(client, manager, customer, amount=money("80.00").model_dump())).json()["id"]
    application_id, payment_id = uuid.uuid4(), uuid.uuid4()
    await book.deliver(
        PaymentApplied(
            application_id=application_id,
            customer_id=customer,
            invoice_id=invoice,
            source_kind="payment",
            source_id=payment_id,
            amount=money("80.00"),
            effective_date=TODAY,
            invoice_open_balance=money("0.00"),
        )
    )
    assert (await get(client, manager, customer, pid))["status"] == "kept"

    await book.deliver(
        PaymentUnapplied(
            application_id=application_id,
            customer_id=customer,
            invoice_id=invoice,
            source_kind="payment",
            source_id=payment_id,
            amount=money("80.00"),
            effective_date=TODAY,
            invoice_open_balance=money("80.00"),
        )
    )

    assert (await get(client, manager, customer, pid))["status"] == "open"
    assert await live_paused(client, manager, customer) == {str(invoice)}
