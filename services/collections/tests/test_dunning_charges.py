"""Dunning charges in collections: the settings API (read, replace, audited; bad input refused
whole with field errors, nothing written) and a strategy run whose steps charge a fee and late
interest: one DunningChargeRequested each through the outbox, never twice, none for a
do-not-contact account, interest only on unpaused overdue items.

Each test has its own business entity; its business date is set by hand (no wall clock)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_collections.charges.firing import charge_request_id
from ar_collections.models import plumbing
from ar_collections.testing import Book
from ar_shared.events.ledger import InvoiceIssued
from ar_shared.money import MoneyAmount

pytestmark = pytest.mark.integration

D = date(2026, 6, 20)  # the due date of the oldest invoice
SETTINGS: dict[str, Any] = {
    "fees": [
        {"level": 1, "amount": {"amount": "5.00", "currency": "EUR"}},
        {"level": 2, "amount": {"amount": "12.50", "currency": "EUR"}},
        {"level": 1, "amount": {"amount": "700", "currency": "JPY"}},
    ],
    "interest": [
        {
            "currency": "EUR",
            "day_count": "act_365",
            "rate_periods": [
                {"effective_from": "2026-01-01", "reference_rate_percent": "2.27", "margin_percent": "8"},
                {"effective_from": "2026-07-01", "reference_rate_percent": "1.27", "margin_percent": "8"},
            ],
        }
    ],
}
STEPS = [
    {"days": 3, "action": "email_reminder", "template_key": "first_reminder"},
    {"days": 10, "action": "charge_fee", "fee_level": 1},
    {"days": 20, "action": "demand_letter", "template_key": "demand_letter", "charge_interest": True},
    {"days": 30, "action": "charge_fee", "fee_level": 2, "charge_interest": True},
]


def on(days: int) -> str:
    return (D + timedelta(days=days)).isoformat()


async def put_settings(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    return await client.put("/v1/dunning-charges/settings", json=body, headers=headers)


async def audit_trail(app: FastAPI) -> list[tuple[Any, ...]]:
    async with app.state.sessionmaker() as session:
        a = plumbing.audit_log
        rows = await session.execute(
            select(a.c.action, a.c.actor, a.c.before, a.c.after)
            .where(a.c.entity_type == "dunning_charge_settings")
            .order_by(a.c.seq)
        )
        return [tuple(r) for r in rows]


async def test_a_manager_sets_fees_and_interest_terms_and_the_change_is_audited(
    client: httpx.AsyncClient, manager: dict[str, str], collections_app: FastAPI
) -> None:
    response = await put_settings(client, manager, SETTINGS)
    assert response.status_code == 200, response.text
    read = (await client.get("/v1/dunning-charges/settings", headers=manager)).json()
    assert read == response.json()
    assert [(f["level"], f["amount"]) for f in read["fees"]] == [
        (1, {"amount": "5.00", "currency": "EUR"}),
        (2, {"amount": "12.50", "currency": "EUR"}),
        (1, {"amount": "700", "currency": "JPY"}),
    ]
    [eur] = read["interest"]
    assert (eur["currency"], eur["day_count"]) == ("EUR", "act_365")
    assert [(p["effective_from"], p["annual_rate_percent"]) for p in eur["rate_periods"]] == [
        ("2026-01-01", "10.27"),
        ("2026-07-01", "9.27"),
    ]
    assert read["updated_by"] == "collections-manager"

    lowered = {"fees": SETTINGS["fees"][:1], "interest": []}
    assert (await put_settings(client, manager, lowered)).status_code == 200
    trail = await audit_trail(collections_app)
    assert [(action, actor) for action, actor, _, _ in trail][-2:] == [
        ("dunning_charge_settings.replaced", "collections-manager"),
        ("dunning_charge_settings.replaced", "collections-manager"),
    ]
    _, _, before, after = trail[-1]
    assert len(before["fees"]) == 3
    assert len(before["interest"]) == 1
    assert after == {"fees": [{"level": 1, "amount": {"amount": "5.00", "currency": "EUR"}}], "interest": []}


async def test_a_collector_reads_the_settings_but_may_not_change_them(
    client: httpx.AsyncClient, collector: dict[str, str]
) -> None:
    assert (await client.get("/v1/dunning-charges/settings", headers=collector)).status_code == 200
    refused = await put_settings(client, collector, SETTINGS)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"


def with_fee(amount: str, currency: str = "EUR") -> dict[str, Any]:
    return {"fees": [{"level": 1, "amount": {"amount": amount, "currency": currency}}]}


def with_rate(reference: str, margin: str | int, currency: str = "EUR") -> dict[str, Any]:
    period = {"effective_from": "2026-01-01", "reference_rate_percent": reference, "margin_percent": margin}
    return {"interest": [{"currency": currency, "day_count": "act_365", "rate_periods": [period]}]}


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (with_fee("-5.00"), "fees.0.amount", "amount_not_positive"),
        (with_fee("0"), "fees.0.amount", "amount_not_positive"),
        (with_fee("5.00", "XYZ"), "fees.0.amount.currency", None),
        (with_rate("2.27", "48"), "interest[0].rate_periods[0]", "rate_out_of_range"),
        (with_rate("-3", "1"), "interest[0].rate_periods[0]", "rate_out_of_range"),
        (with_rate("2.27", "8", "XYZ"), "interest.0.currency", None),
        ({"fees": [with_fee("5.00")["fees"][0]] * 2}, "fees[1].level", "duplicate_fee"),
        ({"interest": with_rate("1", "8")["interest"] * 2}, "interest[1].currency", "duplicate_currency"),
        (with_rate("2.27", 8), "interest.0.rate_periods.0.margin_percent", None),  # a JSON number
    ],
)
async def test_bad_settings_are_refused_whole_with_field_errors_and_nothing_is_written(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    collections_app: FastAPI,
    body: dict[str, Any],
    field: str,
    code: str | None,
) -> None:
    assert (await put_settings(client, manager, SETTINGS)).status_code == 200
    before = (await client.get("/v1/dunning-charges/settings", headers=manager)).json()
    audited = len(await audit_trail(collections_app))

    response = await put_settings(client, manager, body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert field in [e["field"] for e in problem["errors"]], problem
    if code is not None:
        assert code in [e.get("code") for e in problem["errors"]], problem
    assert (await client.get("/v1/dunning-charges/settings", headers=manager)).json() == before
    assert len(await audit_trail(collections_app)) == audited


async def test_a_charge_fee_step_needs_a_fee_level_and_other_steps_take_none(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    for steps, field, code in [
        ([{"days": 10, "action": "charge_fee"}], "steps[0].fee_level", "fee_level_missing"),
        ([{"days": 10, "action": "call_task", "fee_level": 1}], "steps[0].fee_level", "fee_level_not_used"),
    ]:
        name = f"bad-{uuid.uuid4().hex[:8]}"
        response = await client.post(
            "/v1/dunning-strategies", json={"name": name, "steps": steps}, headers=manager
        )
        assert response.status_code == 422, response.text
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


async def setup(client: httpx.AsyncClient, manager: dict[str, str], book: Book) -> str:
    assert (await put_settings(client, manager, SETTINGS)).status_code == 200
    entity = f"C{uuid.uuid4().hex[:7].upper()}"
    name = f"fees-{entity.lower()}"
    created = await client.post(
        "/v1/dunning-strategies", json={"name": name, "steps": STEPS}, headers=manager
    )
    assert created.status_code == 201, created.text
    assert [(s["fee_level"], s["charge_interest"]) for s in created.json()["steps"]] == [
        (None, False), (1, False), (None, True), (2, True),
    ]  # fmt: skip
    segment = await client.post(
        "/v1/strategy-segments",
        json={"name": entity, "strategy": name, "priority": uuid.uuid4().int % 900_000 + 1000,
              "business_entity": entity},
        headers=manager,
    )  # fmt: skip
    assert segment.status_code == 201, segment.text
    await book.business_date(entity, D - timedelta(days=10))
    return entity


async def run(client: httpx.AsyncClient, manager: dict[str, str], entity: str, days: int) -> dict[str, Any]:
    response = await client.post(
        "/v1/strategy-runs", json={"business_entity": entity, "as_of": on(days)}, headers=manager
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def charges(book: Book, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    async with book.session() as session:
        rows = await session.scalars(
            select(plumbing.outbox.c.envelope)
            .where(
                plumbing.outbox.c.event_type == "ar.collections.DunningChargeRequested.v1",
                plumbing.outbox.c.message_key == str(customer_id),
            )
            .order_by(plumbing.outbox.c.id)
        )
        return [r["data"] for r in rows]


async def messages(book: Book, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    async with book.session() as session:
        rows = await session.scalars(
            select(plumbing.outbox.c.envelope).where(
                plumbing.outbox.c.event_type == "ar.collections.NotificationRequested.v1",
                plumbing.outbox.c.message_key == str(customer_id),
            )
        )
        return [r["data"] for r in rows]


async def test_a_strategy_run_charges_a_fee_then_interest_once_each_on_the_unpaused_overdue_items(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = await setup(client, manager, book)
    customer = await book.account(entity=entity)
    first = await book.invoice(customer, due=D, amount="1000.00", number="INV-1", entity=entity)
    paused = await book.invoice(customer, due=D, amount="400.00", number="INV-2", entity=entity)
    pause = await client.post(
        f"/v1/accounts/{customer}/dunning-pauses",
        json={"invoice_ids": [str(paused)], "reason": "dispute", "ends_on": on(60)},
        headers=manager,
    )
    assert pause.status_code == 201, pause.text

    assert (await run(client, manager, entity, 10))["fired"] == {"charge_fee": 1}
    assert (await run(client, manager, entity, 10))["fired"] == {}  # a rerun charges nothing twice
    [fee] = await charges(book, customer)
    assert fee == fee | {
        "request_id": str(charge_request_id(customer, 1, 10, "fee")),
        "customer_id": str(customer),
        "kind": "fee",
        "amount": {"amount": "5.00", "currency": "EUR"},
        "level": 1,
        "as_of": on(10),
        "invoice_ids": [str(first)],
        "days_past_due": 10,
        "strategy": f"strategy:fees-{entity.lower()}@1",
        "step_days": 10,
    }

    # the ledger issues the fee document with the request id as its invoice id: it is an open
    # item, due at once, and never bears interest
    await book.deliver(
        InvoiceIssued(
            invoice_id=uuid.UUID(fee["request_id"]), customer_id=customer, business_entity=entity,
            invoice_number="DF-1", issue_date=D + timedelta(days=10), due_date=D + timedelta(days=10),
            amount=MoneyAmount(amount="5.00", currency="EUR"), document_kind="dunning_fee",
        )
    )  # fmt: skip
    assert (await run(client, manager, entity, 20))["fired"] == {"demand_letter": 1}
    [letter] = await messages(book, customer)
    # the letter lists the fee document with the unpaused invoice, the disputed one left out
    assert [i["invoice_number"] for i in letter["context"]["open_items"]] == ["INV-1", "DF-1"]
    assert letter["context"]["totals"] == {"EUR": "1005.00"}
    _, interest = await charges(book, customer)
    # INV-1 only: 20 days (June 21 - July 10), 10 at 10.27 % and 10 at 9.27 % of 1000.00 -> 5.35
    assert interest == interest | {
        "request_id": str(charge_request_id(customer, 1, 20, "interest")),
        "kind": "interest",
        "amount": {"amount": "5.35", "currency": "EUR"},
        "day_count": "act_365",
        "invoice_ids": [str(first)],
        "step_days": 20,
    }
    assert interest["items"] == [
        {"invoice_id": str(first), "open_balance": {"amount": "1000.00", "currency": "EUR"},
         "interest_from": "2026-06-21", "days_late": 20, "interest": {"amount": "5.35", "currency": "EUR"}}
    ]  # fmt: skip

    # the fee of level 2 and interest again: only the days since the last interest charge
    assert (await run(client, manager, entity, 30))["fired"] == {"charge_fee": 1}
    _, _, fee2, interest2 = await charges(book, customer)
    assert (fee2["kind"], fee2["amount"]["amount"], fee2["level"]) == ("fee", "12.50", 2)
    # July 11-20 at 9.27 % of 1000.00: 100000 x 92.7 / 36500 = 253.97 -> 2.54
    assert (interest2["amount"]["amount"], interest2["items"][0]["interest_from"]) == ("2.54", "2026-07-11")

    fired = (await client.get(f"/v1/accounts/{customer}/dunning", headers=manager)).json()["fired"]
    assert [f["action"] for f in fired] == ["charge_fee", "demand_letter", "charge_fee"]


async def test_a_do_not_contact_account_is_charged_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = await setup(client, manager, book)
    customer = await book.account(entity=entity)
    await book.invoice(customer, due=D, amount="1000.00", entity=entity)
    marked = await client.put(
        f"/v1/accounts/{customer}/do-not-contact", json={"reason": "litigation"}, headers=manager
    )
    assert marked.status_code == 200, marked.text
    for days in (10, 20, 30):
        assert (await run(client, manager, entity, days))["skipped"] == {"do_not_contact": 1}
    assert await charges(book, customer) == []


async def test_a_fee_with_no_amount_for_the_accounts_currency_is_not_charged(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = await setup(client, manager, book)
    customer = await book.account(entity=entity, currency="USD")
    await book.invoice(customer, due=D, amount="1000.00", currency="USD", entity=entity)
    assert (await run(client, manager, entity, 10))["fired"] == {"charge_fee": 1}
    assert await charges(book, customer) == []
    fired = (await client.get(f"/v1/accounts/{customer}/dunning", headers=manager)).json()["fired"]
    assert [f["action"] for f in fired] == ["charge_fee"]
