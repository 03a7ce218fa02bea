"""The strategy run on a worked example: one account walked through its strategy's steps across
business dates (pre-due reminder, first reminder, call task, demand letter, escalation), nothing
twice on a rerun, a run that skips days, a new cycle after a cure, pauses, do-not-contact, the
dry run and the run a new business date asks for.

Each test has its own business entity (and so its own segment and runs); its business date is
set by hand, so the dates below are about dates themselves, never compared with the wall clock.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from ar_collections.dunning.run import StrategyRuns
from ar_collections.models import Collector, DunningState, OpenItem, Task, Team, plumbing
from ar_collections.testing import Book
from ar_shared.audit.verify import verify_chains

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)  # the due date of the oldest invoice
STEPS = [
    {"days": -5, "action": "email_reminder", "template_key": "pre_due_reminder"},
    {"days": 3, "action": "email_reminder", "template_key": "first_reminder", "locale": "de"},
    {"days": 10, "action": "call_task", "sla_days": 2},
    {"days": 20, "action": "demand_letter", "template_key": "demand_letter"},
    {"days": 30, "action": "escalate"},
    {"days": 45, "action": "recommend_credit_hold"},
]


def on(days: int) -> str:
    return (D + timedelta(days=days)).isoformat()


async def setup(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book, steps: list[dict[str, Any]] = STEPS
) -> tuple[str, str]:
    """An entity of the test's own with a strategy assigned to it; returns (entity, strategy)."""
    entity = f"D{uuid.uuid4().hex[:7].upper()}"
    name = f"std-{entity.lower()}"
    created = await client.post(
        "/v1/dunning-strategies", json={"name": name, "steps": steps}, headers=manager
    )
    assert created.status_code == 201, created.text
    segment = await client.post(
        "/v1/strategy-segments",
        json={"name": entity, "strategy": name, "priority": uuid.uuid4().int % 900_000 + 1000,
              "business_entity": entity},
        headers=manager,
    )  # fmt: skip
    assert segment.status_code == 201, segment.text
    await book.business_date(entity, D - timedelta(days=10))
    return entity, name


async def run(
    client: httpx.AsyncClient, manager: dict[str, str], entity: str, days: int, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/strategy-runs", json={"business_entity": entity, "as_of": on(days), **extra}, headers=manager
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


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
        return [r["data"] for r in rows]


async def tasks(book: Book, customer_id: uuid.UUID) -> list[Task]:
    async with book.session() as session:
        return list(
            (
                await session.scalars(
                    select(Task).where(Task.customer_id == customer_id).order_by(Task.created_at)
                )
            ).all()
        )


async def managed_account(book: Book, entity: str) -> uuid.UUID:
    """An account in a portfolio whose collector's team has a manager."""
    manager_subject = await book.collector(f"boss-{entity.lower()}", role="manager")
    collector = await book.collector(f"anna-{entity.lower()}")
    async with book.session() as session:
        team = Team(id=uuid.uuid4(), name=f"team {entity}", manager_subject=manager_subject)
        session.add(team)
        await session.flush()
        await session.execute(update(Collector).where(Collector.subject == collector).values(team_id=team.id))
    return await book.account(portfolio_id=await book.portfolio(collector), entity=entity)


async def test_an_account_walks_through_its_steps_across_business_dates_and_nothing_fires_twice(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, name = await setup(client, manager, book)
    customer = await managed_account(book, entity)
    first = await book.invoice(customer, due=D, amount="100.00", number="INV-1", entity=entity)
    await book.invoice(customer, due=D + timedelta(days=8), amount="50.00", number="INV-2", entity=entity)

    pre_due = await run(client, manager, entity, -5)
    assert pre_due["fired"] == {"email_reminder": 1}
    assert pre_due["accounts_seen"] == 1
    assert pre_due["status"] == "completed"
    await run(client, manager, entity, 3)
    quiet = await run(client, manager, entity, 4)
    assert quiet["fired"] == {}
    assert quiet["skipped"] == {"nothing_due": 1}
    await run(client, manager, entity, 10)
    await run(client, manager, entity, 20)
    last = await run(client, manager, entity, 30)
    assert last["fired"] == {"escalate": 1}
    rerun = await run(client, manager, entity, 30)
    assert rerun["fired"] == {}
    assert rerun["skipped"] == {"nothing_due": 1}
    assert (await run(client, manager, entity, 45))["fired"] == {"recommend_credit_hold": 1}
    assert (await run(client, manager, entity, 46))["fired"] == {}

    messages = await events(book, customer, "NotificationRequested")
    assert [(m["template_key"], m["locale"]) for m in messages] == [
        ("pre_due_reminder", "en"), ("first_reminder", "de"), ("demand_letter", "en"),
    ]  # fmt: skip
    assert {m["recipient"] for m in messages} == {"ap@customer.example"}
    assert {m["business_entity"] for m in messages} == {entity}  # the delivery log is filtered by it
    # one message per customer listing every open item at that level, with totals
    assert [[i["invoice_number"] for i in m["context"]["open_items"]] for m in messages] == [
        ["INV-1"], ["INV-1"], ["INV-1", "INV-2"],
    ]  # fmt: skip
    assert messages[0]["context"]["open_items"][0]["invoice_id"] == str(first)
    assert messages[2]["context"]["totals"] == {"EUR": "150.00"}
    assert messages[2]["context"]["open_items"][1]["days_past_due"] == 12

    work = await tasks(book, customer)
    assert [(t.kind, t.due_on, t.sla_due_on, t.assignee_subject, t.source) for t in work] == [
        ("call", D + timedelta(days=10), D + timedelta(days=12), None, "workflow"),
        ("review", D + timedelta(days=30), None, f"boss-{entity.lower()}", "workflow"),
    ]
    [hold] = await events(book, customer, "CreditHoldRecommended")
    assert (hold["days_past_due"], hold["recommended_by"]) == (45, f"strategy:{name}@1")
    escalations = await events(book, customer, "EscalationRaised")
    assert [(e["level"], e["raised_by"]) for e in escalations] == [("manager", f"strategy:{name}@1")]

    view = (await client.get(f"/v1/accounts/{customer}/dunning", headers=manager)).json()
    assert (view["strategy"], view["cycle"], view["level_days"], view["level_action"]) == (
        name,
        1,
        45,
        "recommend_credit_hold",
    )
    assert [f["step_days"] for f in view["fired"]] == [45, 30, 20, 10, 3, -5]
    account_view = (await client.get(f"/v1/accounts/{customer}", headers=manager)).json()
    # the letters sent, latest first, each under the request id notifications keeps it by
    assert [
        (x["request_id"], x["template_key"], x["action"], x["level_days"], x["fired_on"], x["items"])
        for x in account_view["letters"]
    ] == [
        (messages[2]["request_id"], "demand_letter", "demand_letter", 20, on(20), 2),
        (messages[1]["request_id"], "first_reminder", "email_reminder", 3, on(3), 1),
        (messages[0]["request_id"], "pre_due_reminder", "email_reminder", -5, on(-5), 1),
    ]
    shown = account_view["dunning"]
    assert (shown["strategy"], shown["level_days"], shown["level_action"]) == (
        name,
        45,
        "recommend_credit_hold",
    )
    recorded = (await client.get(f"/v1/strategy-runs/{last['id']}", headers=manager)).json()
    assert recorded == last


async def test_a_run_that_skips_days_fires_only_the_highest_due_step(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, _ = await setup(client, manager, book)
    customer = await book.account(entity=entity)
    await book.invoice(customer, due=D, amount="80.00", entity=entity)

    result = await run(client, manager, entity, 25)

    assert result["fired"] == {"demand_letter": 1}
    assert [m["template_key"] for m in await events(book, customer, "NotificationRequested")] == [
        "demand_letter"
    ]
    assert await tasks(book, customer) == []


async def test_a_cured_account_that_falls_overdue_again_starts_a_new_cycle(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, _ = await setup(client, manager, book, steps=[STEPS[1]])
    customer = await book.account(entity=entity)
    first = await book.invoice(customer, due=D, amount="80.00", entity=entity)
    assert (await run(client, manager, entity, 3))["fired"] == {"email_reminder": 1}
    async with book.session() as session:  # paid (as the ledger's allocation would project it)
        await session.execute(update(OpenItem).where(OpenItem.invoice_id == first).values(open_minor=0))
    assert (await run(client, manager, entity, 5))["skipped"] == {"nothing_open": 1}
    await book.invoice(customer, due=D + timedelta(days=10), amount="20.00", entity=entity)

    again = await run(client, manager, entity, 13)

    assert again["fired"] == {"email_reminder": 1}
    view = (await client.get(f"/v1/accounts/{customer}/dunning", headers=manager)).json()
    assert [(f["cycle"], f["step_days"]) for f in view["fired"]] == [(2, 3), (1, 3)]


async def test_pauses_for_a_promise_a_dispute_and_a_plan_skip_exactly_the_covered_items(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, _ = await setup(client, manager, book, steps=[STEPS[1]])
    customer = await book.account(entity=entity)
    paused = {}
    for reason in ("promise", "dispute", "payment_plan"):
        invoice = await book.invoice(
            customer, due=D - timedelta(days=1), amount="10.00", number=reason, entity=entity
        )
        response = await client.post(
            f"/v1/accounts/{customer}/dunning-pauses",
            json={"invoice_ids": [str(invoice)], "reason": reason, "ends_on": on(30)},
            headers=manager,
        )
        assert response.status_code == 201, response.text
        paused[reason] = response.json()[0]["id"]
    await book.invoice(customer, due=D, amount="25.00", number="OPEN", entity=entity)

    assert (await run(client, manager, entity, 3))["fired"] == {"email_reminder": 1}

    [message] = await events(book, customer, "NotificationRequested")
    assert [i["invoice_number"] for i in message["context"]["open_items"]] == ["OPEN"]
    assert message["context"]["totals"] == {"EUR": "25.00"}
    view = (await client.get(f"/v1/accounts/{customer}/dunning", headers=manager)).json()
    assert sorted(p["reason"] for p in view["live_pauses"]) == ["dispute", "payment_plan", "promise"]
    lifted = await client.delete(
        f"/v1/accounts/{customer}/dunning-pauses/{paused['promise']}", headers=manager
    )
    assert lifted.status_code == 200
    assert lifted.json()["lifted_at"] is not None


async def test_an_account_whose_items_are_all_paused_gets_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, _ = await setup(client, manager, book)
    customer = await book.account(entity=entity)
    invoice = await book.invoice(customer, due=D, amount="10.00", entity=entity)
    response = await client.post(
        f"/v1/accounts/{customer}/dunning-pauses",
        json={"invoice_ids": [str(invoice)], "reason": "dispute", "ends_on": on(40)},
        headers=manager,
    )
    assert response.status_code == 201

    assert (await run(client, manager, entity, 35))["skipped"] == {"all_items_paused": 1}
    assert await events(book, customer, "NotificationRequested") == []


async def test_a_do_not_contact_account_gets_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, _ = await setup(client, manager, book)
    customer = await managed_account(book, entity)
    await book.invoice(customer, due=D, amount="10.00", entity=entity)
    marked = await client.put(
        f"/v1/accounts/{customer}/do-not-contact", json={"reason": "litigation"}, headers=manager
    )
    assert marked.status_code == 200, marked.text

    for days in (-5, 3, 10, 20, 30, 45):
        assert (await run(client, manager, entity, days))["skipped"] == {"do_not_contact": 1}

    assert await events(book, customer, "NotificationRequested") == []
    assert await events(book, customer, "EscalationRaised") == []
    assert await events(book, customer, "CreditHoldRecommended") == []
    assert await tasks(book, customer) == []


async def test_a_dry_run_answers_what_a_run_would_do_and_writes_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, name = await setup(client, manager, book)
    customer = await book.account(entity=entity)
    await book.invoice(customer, due=D, amount="10.00", entity=entity)

    dry = await run(client, manager, entity, 12, dry_run=True)

    assert dry["id"] is None
    assert dry["fired"] == {"call_task": 1}
    assert dry["planned"] == [
        {"customer_id": str(customer), "days_past_due": 12, "step_days": 10, "action": "call_task",
         "strategy": name, "strategy_version": 1},
    ]  # fmt: skip
    assert await tasks(book, customer) == []
    # nothing recorded: an earlier date may still run, and the version is not in use yet
    assert (await run(client, manager, entity, 3))["fired"] == {"email_reminder": 1}


async def test_a_new_business_date_asks_for_the_run_the_worker_executes(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, _ = await setup(client, manager, book)
    customer = await book.account(entity=entity)
    await book.invoice(customer, due=D, amount="10.00", entity=entity)

    await book.business_date(entity, D + timedelta(days=3))
    await book.business_date(entity, D + timedelta(days=3))  # delivered twice: asks once
    app = book.app
    runs = StrategyRuns(app.state.sessionmaker, app.state.clock, app.state.settings)
    while await runs.run_pending():
        pass

    [message] = await events(book, customer, "NotificationRequested")
    assert message["template_key"] == "first_reminder"
    # an older announcement (a replay) asks for nothing, and the API refuses to go back
    await book.business_date(entity, D)
    refused = await client.post(
        "/v1/strategy-runs", json={"business_entity": entity, "as_of": on(1)}, headers=manager
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "run_before_last_run"


async def test_the_tasks_of_a_chunk_extend_each_accounts_audit_chain_in_order(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    """Steps caught up in one run (`every`): a call task, then the escalation's record and its
    review task (all written with the chunk's batch), their audit records appended to the
    account's chain in that order after what was on it; every chain verifies."""
    entity, _ = await setup(client, manager, book)
    customer = await managed_account(book, entity)
    await book.invoice(customer, due=D, amount="10.00", entity=entity)
    noted = await client.post(
        f"/v1/accounts/{customer}/dunning-pauses",
        json={"invoice_ids": [str(await book.invoice(customer, due=D, amount="1.00", entity=entity))],
              "reason": "other", "ends_on": on(60)},
        headers=manager,
    )  # fmt: skip
    assert noted.status_code == 201, noted.text  # a record on the account's chain before the run
    app = book.app
    every = app.state.settings.model_copy(update={"dunning_catch_up": "every"})
    await StrategyRuns(app.state.sessionmaker, app.state.clock, every).run(
        entity, D + timedelta(days=30), requested_by="t"
    )

    assert [t.kind for t in await tasks(book, customer)] == ["call", "review"]
    log = plumbing.audit_log
    async with book.session() as session:
        chain = (
            await session.execute(
                select(log.c.action, log.c.chain_seq)
                .where(log.c.entity_type == "account", log.c.entity_id == str(customer))
                .order_by(log.c.chain_seq)
            )
        ).all()
        report = await verify_chains(await session.connection(), "collections")
    assert [tuple(r) for r in chain] == [
        ("dunning.paused", 1), ("task.created", 2), ("escalation.raised", 3), ("task.created", 4),
    ]  # fmt: skip
    assert report.broken == []


async def test_an_account_no_step_can_reach_yet_is_counted_but_not_read(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    """Quiet: its oldest item falls due after the earliest step's reach (a pre-due reminder at -5
    days), its cycle fresh: seen and skipped as nothing_due, without a dunning state; the day it
    comes within reach it is judged and dunned."""
    entity, _ = await setup(client, manager, book)
    quiet = await book.account(entity=entity)
    await book.invoice(quiet, due=D + timedelta(days=30), amount="10.00", entity=entity)
    due = await book.account(entity=entity)
    await book.invoice(due, due=D, amount="10.00", entity=entity)

    first = await run(client, manager, entity, -5)

    assert (first["accounts_seen"], first["fired"], first["skipped"]) == (
        2, {"email_reminder": 1}, {"nothing_due": 1},
    )  # fmt: skip
    async with book.session() as session:
        assert await session.get(DunningState, quiet) is None
    later = await run(client, manager, entity, 25)  # the quiet account's item is 5 days from due
    assert later["fired"] == {"email_reminder": 1, "demand_letter": 1}
    assert [m["template_key"] for m in await events(book, quiet, "NotificationRequested")] == [
        "pre_due_reminder"
    ]


async def test_a_segment_with_a_balance_band_takes_the_accounts_whose_open_balance_is_in_it(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    # the run sums the open items per currency only when a segment's rule has a balance band
    entity = f"D{uuid.uuid4().hex[:7].upper()}"
    big, small = f"big-{entity.lower()}", f"small-{entity.lower()}"
    for name, step in (
        (big, {"days": 3, "action": "call_task", "sla_days": 2}),
        (small, {"days": 3, "action": "email_reminder", "template_key": "first_reminder"}),
    ):
        created = await client.post(
            "/v1/dunning-strategies", json={"name": name, "steps": [step]}, headers=manager
        )
        assert created.status_code == 201, created.text
    priority = uuid.uuid4().int % 900_000 + 1000
    for body in (
        {"name": big, "strategy": big, "priority": priority, "business_entity": entity,
         "balance_min": {"amount": "500.00", "currency": "EUR"}},
        {"name": small, "strategy": small, "priority": priority + 1, "business_entity": entity},
    ):  # fmt: skip
        segment = await client.post("/v1/strategy-segments", json=body, headers=manager)
        assert segment.status_code == 201, segment.text
    await book.business_date(entity, D - timedelta(days=10))
    large = await book.account(entity=entity)
    await book.invoice(large, due=D, amount="450.00", number="L-1", entity=entity)
    await book.invoice(large, due=D + timedelta(days=20), amount="60.00", number="L-2", entity=entity)
    modest = await book.account(entity=entity)
    await book.invoice(modest, due=D, amount="450.00", number="M-1", entity=entity)

    result = await run(client, manager, entity, 5)

    assert result["fired"] == {"call_task": 1, "email_reminder": 1}
    assert [t.title for t in await tasks(book, large)] == [f"Call: {big} step at 3 days past due"]
    assert await events(book, large, "NotificationRequested") == []
    assert await tasks(book, modest) == []
    assert [m["template_key"] for m in await events(book, modest, "NotificationRequested")] == [
        "first_reminder"
    ]
