"""The worklist on a worked example: the order, every score part with its numbers, SLA breaches
first and cleared by the call, do-not-contact removing the contact task, paging and exports.

The entity's business date is set by hand to 2026-03-31 (D): the dates below are about dates
themselves and never compared with the wall clock.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from ar_collections.testing import Book
from ar_shared.clock import Clock
from ar_shared.events.credit import CreditReviewCompleted

pytestmark = pytest.mark.integration

D = date(2026, 3, 31)
ENTITY = "WX01"


async def risk(book: Book, customer_id: uuid.UUID, risk_class: str) -> None:
    await book.deliver(
        CreditReviewCompleted(
            review_id=uuid.uuid4(), customer_id=customer_id, score=50, risk_class=risk_class,
            recommended_limit={"amount": "1000.00", "currency": "EUR"}, next_review_on=D,
            reviewed_by="analyst",
        )
    )  # fmt: skip


async def call(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    customer_id: uuid.UUID,
    days_ago: int,
    clock: Clock,
    **extra: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/accounts/{customer_id}/activities",
        json={
            "kind": "call", "direction": "outbound", "outcome": "reached", "summary": "Called AP",
            "occurred_at": (clock.now() - timedelta(days=days_ago)).isoformat(), **extra,
        },
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
async def example(
    book: Book, client: httpx.AsyncClient, collector: dict[str, str], clock: Clock
) -> dict[str, uuid.UUID]:
    """Acme, Bolt, Crane (overdue) and Delta (current), all Anna's, in entity WX01 on D."""
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    await book.business_date(ENTITY, D)
    accounts = {}
    for name in ("Acme", "Bolt", "Crane", "Delta"):
        accounts[name] = await book.account(portfolio_id=portfolio, entity=ENTITY, name=name)
    # Acme: 12,345.67 EUR 45 days past due (and 1,000.00 not yet due), high risk, called 10 days
    # ago with a follow-up due today
    await book.invoice(accounts["Acme"], due=D - timedelta(days=45), amount="12345.67", entity=ENTITY)
    await book.invoice(accounts["Acme"], due=D + timedelta(days=10), amount="1000.00", entity=ENTITY)
    await risk(book, accounts["Acme"], "high")
    await call(client, collector, accounts["Acme"], 10, clock, next_follow_up_on=str(D))
    # Bolt: 500.00 EUR 12 days past due, no credit profile, never contacted
    await book.invoice(accounts["Bolt"], due=D - timedelta(days=12), amount="500.00", entity=ENTITY)
    # Crane: 250,000.00 EUR 100 days past due, low risk, called 2 days ago
    await book.invoice(accounts["Crane"], due=D - timedelta(days=100), amount="250000.00", entity=ENTITY)
    await risk(book, accounts["Crane"], "low")
    await call(client, collector, accounts["Crane"], 2, clock)
    # Delta: nothing overdue, nothing due: not on the worklist
    await book.invoice(accounts["Delta"], due=D + timedelta(days=5), amount="900.00", entity=ENTITY)
    return accounts


def parts(item: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {p["part"]: (p["weight"], p["value"], p["points"]) for p in item["score_parts"]}


async def worklist(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/worklist", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_the_worklist_is_ordered_by_score_and_shows_every_part(
    client: httpx.AsyncClient, collector: dict[str, str], example: dict[str, uuid.UUID]
) -> None:
    items = await worklist(client, collector)
    assert [i["name"] for i in items] == ["Crane", "Acme", "Bolt"]
    crane, acme, bolt = items
    assert crane["as_of"] == acme["as_of"] == str(D)
    # Crane: 250,000.00 -> 250 (x 1.0); 100 days (x 0.5); low = 0 (x 10); contact 2 days ago (x 0.5)
    assert parts(crane) == {
        "amount_overdue": ("1", "250", "250.00"),
        "days_past_due": ("0.5", "100", "50.00"),
        "risk_class": ("10", "0", "0.00"),
        "promise": ("20", "0", "0.00"),
        "dispute_age": ("0.2", "0", "0.00"),
        "days_since_last_contact": ("0.5", "2", "1.00"),
        "follow_up_due": ("25", "0", "0.00"),
    }
    assert crane["score"] == "301.00"
    # Acme: 12,345.67 -> 12.34567 -> 12.35; 45 days -> 22.50; high = 2 -> 20; 10 days -> 5;
    # follow-up due -> 25
    assert parts(acme) == {
        "amount_overdue": ("1", "12.34567", "12.35"),
        "days_past_due": ("0.5", "45", "22.50"),
        "risk_class": ("10", "2", "20.00"),
        "promise": ("20", "0", "0.00"),
        "dispute_age": ("0.2", "0", "0.00"),
        "days_since_last_contact": ("0.5", "10", "5.00"),
        "follow_up_due": ("25", "1", "25.00"),
    }
    assert acme["score"] == "84.85"
    assert [(t["kind"], t["due_on"]) for t in acme["tasks"]] == [("follow_up", str(D))]
    assert acme["overdue"] == [{"amount": "12345.67", "currency": "EUR"}]
    assert acme["open_balance"] == [{"amount": "13345.67", "currency": "EUR"}]
    assert (acme["oldest_days_past_due"], acme["bucket"], acme["risk_class"]) == (45, "31-60", "high")
    assert acme["last_contact_on"] == str(D - timedelta(days=10))
    # Bolt: 0.50 + 6.00 + unknown risk as medium 10.00 + never contacted: its 12 days past due 6.00
    assert parts(bolt)["risk_class"] == ("10", "1", "10.00")
    assert parts(bolt)["days_since_last_contact"] == ("0.5", "12", "6.00")
    assert bolt["score"] == "22.50"
    assert all(i["sla"] is None for i in items)


async def test_a_breached_sla_goes_first_and_the_call_clears_it(
    client: httpx.AsyncClient,
    collector: dict[str, str],
    manager: dict[str, str],
    example: dict[str, uuid.UUID],
    clock: Clock,
) -> None:
    rule = {
        "code": f"call7-{uuid.uuid4().hex[:6]}", "name": "Call within 7 days of going past due",
        "within_days": 7, "action_kind": "call", "action_direction": "outbound",
    }  # fmt: skip
    assert (await client.post("/v1/sla-rules", json=rule, headers=manager)).status_code == 201
    items = await worklist(client, collector)
    # Bolt went past due on 2026-03-20 and nobody called by 2026-03-26; Crane and Acme were called
    assert [(i["name"], i["sla"] and i["sla"]["breached"]) for i in items] == [
        ("Bolt", True), ("Crane", None), ("Acme", None)
    ]  # fmt: skip
    assert items[0]["sla"] | {"code": None} == {
        "code": None, "name": rule["name"], "started_on": "2026-03-20", "due_on": "2026-03-26",
        "breached": True, "source": "rule", "task_id": None,
    }  # fmt: skip
    # an e-mail is not the call the rule asks for
    email = {"kind": "email", "summary": "Reminder sent"}
    assert (
        await client.post(f"/v1/accounts/{example['Bolt']}/activities", json=email, headers=collector)
    ).status_code == 201
    assert (await worklist(client, collector))[0]["name"] == "Bolt"
    await call(client, collector, example["Bolt"], 0, clock)
    items = await worklist(client, collector)
    assert [(i["name"], i["score"], i["sla"]) for i in items] == [
        ("Crane", "301.00", None), ("Acme", "84.85", None), ("Bolt", "16.50", None)
    ]  # fmt: skip


async def test_a_task_past_its_sla_date_goes_first_until_it_is_done(
    client: httpx.AsyncClient, collector: dict[str, str], book: Book, example: dict[str, uuid.UUID]
) -> None:
    task = await client.post(
        f"/v1/accounts/{example['Delta']}/tasks",
        json={"kind": "review", "title": "Check the credit limit", "due_on": str(D), "sla_due_on": str(D)},
        headers=collector,
    )
    assert task.status_code == 201, task.text
    # due today, not yet breached: by score (10 for an unknown risk + 25 for the task due)
    today = await worklist(client, collector)
    assert [(i["name"], i["score"]) for i in today] == [
        ("Crane", "301.00"), ("Acme", "84.85"), ("Delta", "35.00"), ("Bolt", "22.50")
    ]  # fmt: skip
    assert today[2]["sla"] == {
        "code": "task:review", "name": "review task", "started_on": None, "due_on": str(D), "breached": False,
        "source": "task", "task_id": task.json()["id"],
    }  # fmt: skip
    items = await worklist(client, collector, as_of=str(D + timedelta(days=1)))
    assert items[0]["name"] == "Delta"
    assert (items[0]["sla"]["source"], items[0]["sla"]["breached"]) == ("task", True)
    done = await client.post(f"/v1/tasks/{task.json()['id']}/completion", json={}, headers=collector)
    assert done.status_code == 200
    assert "Delta" not in [
        i["name"] for i in await worklist(client, collector, as_of=str(D + timedelta(days=1)))
    ]


async def test_do_not_contact_takes_the_contact_task_off_the_worklist(
    client: httpx.AsyncClient, collector: dict[str, str], example: dict[str, uuid.UUID]
) -> None:
    delta = example["Delta"]
    follow_up = {"kind": "follow_up", "title": "Call back about the new order", "due_on": str(D)}
    assert (
        await client.post(f"/v1/accounts/{delta}/tasks", json=follow_up, headers=collector)
    ).status_code == 201
    assert "Delta" in [i["name"] for i in await worklist(client, collector)]

    barred = await client.put(
        f"/v1/accounts/{delta}/do-not-contact",
        json={"reason": "litigation", "note": "Case 114"},
        headers=collector,
    )
    assert barred.status_code == 200, barred.text
    assert (barred.json()["in_force"], barred.json()["set_by"]) == (True, "collector-anna")
    assert "Delta" not in [i["name"] for i in await worklist(client, collector)]
    # Acme is barred too: its overdue items and follow-up leave the list with it
    await client.put(
        f"/v1/accounts/{example['Acme']}/do-not-contact", json={"reason": "insolvency"}, headers=collector
    )
    assert [i["name"] for i in await worklist(client, collector)] == ["Crane", "Bolt"]

    # work that contacts nobody stays: a review keeps Delta on the list, with that task only
    review = {"kind": "review", "title": "Review with legal", "due_on": str(D)}
    assert (
        await client.post(f"/v1/accounts/{delta}/tasks", json=review, headers=collector)
    ).status_code == 201
    delta_item = next(i for i in await worklist(client, collector) if i["name"] == "Delta")
    assert [t["kind"] for t in delta_item["tasks"]] == ["review"]
    assert delta_item["do_not_contact"] == {"reason": "litigation", "ends_on": None}

    lifted = await client.delete(f"/v1/accounts/{delta}/do-not-contact", headers=collector)
    assert lifted.json()["in_force"] is False
    delta_item = next(i for i in await worklist(client, collector) if i["name"] == "Delta")
    assert sorted(t["kind"] for t in delta_item["tasks"]) == ["follow_up", "review"]


async def test_do_not_contact_ends_after_its_end_date(
    client: httpx.AsyncClient, collector: dict[str, str], example: dict[str, uuid.UUID]
) -> None:
    bolt = example["Bolt"]
    past = await client.put(
        f"/v1/accounts/{bolt}/do-not-contact",
        json={"reason": "customer_request", "ends_on": "2026-03-30"},
        headers=collector,
    )
    assert (past.status_code, past.json()["code"]) == (422, "ends_in_the_past")
    ok = await client.put(
        f"/v1/accounts/{bolt}/do-not-contact",
        json={"reason": "customer_request", "ends_on": str(D)},
        headers=collector,
    )
    assert ok.status_code == 200
    assert "Bolt" not in [i["name"] for i in await worklist(client, collector)]
    tomorrow = await worklist(client, collector, as_of=str(D + timedelta(days=1)))
    assert "Bolt" in [i["name"] for i in tomorrow]


async def test_weights_are_the_installations_and_change_the_order(
    client: httpx.AsyncClient,
    collector: dict[str, str],
    manager: dict[str, str],
    example: dict[str, uuid.UUID],
) -> None:
    refused = await client.put(
        "/v1/worklist/weights", json={"weights": {"days_past_due": "1"}}, headers=collector
    )
    assert refused.status_code == 403
    bad = await client.put("/v1/worklist/weights", json={"weights": {"days_past_due": "-1"}}, headers=manager)
    assert bad.status_code == 422
    response = await client.put(
        "/v1/worklist/weights",
        json={"weights": {"amount_overdue": "0", "days_past_due": "2"}},
        headers=manager,
    )
    assert response.status_code == 200, response.text
    assert {w["part"]: w["weight"] for w in response.json()}["days_past_due"] == "2"
    items = await worklist(client, collector)
    # Acme: 0 + 90 + 20 + 5 + 25 = 140; Crane: 0 + 200 + 0 + 1 = 201; Bolt: 0 + 24 + 10 + 6 = 40
    assert [(i["name"], i["score"]) for i in items] == [
        ("Crane", "201.00"),
        ("Acme", "140.00"),
        ("Bolt", "40.00"),
    ]


async def test_the_worklist_pages_with_a_cursor_and_refuses_a_forged_one(
    client: httpx.AsyncClient, collector: dict[str, str], example: dict[str, uuid.UUID]
) -> None:
    names, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/worklist", params=params, headers=collector)).json()
        names += [i["name"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["Crane", "Acme", "Bolt"]
    forged = await client.get("/v1/worklist", params={"cursor": "WyJ4Il0"}, headers=collector)
    assert (forged.status_code, forged.json()["code"]) == (400, "invalid_cursor")


async def test_only_managers_see_another_collectors_worklist(
    client: httpx.AsyncClient,
    collector: dict[str, str],
    manager: dict[str, str],
    example: dict[str, uuid.UUID],
) -> None:
    other = await client.get("/v1/worklist", params={"collector": "collector-ben"}, headers=collector)
    assert (other.status_code, other.json()["code"]) == (403, "not_your_worklist")
    annas = await client.get("/v1/worklist", params={"collector": "collector-anna"}, headers=manager)
    assert [i["name"] for i in annas.json()["items"]] == ["Crane", "Acme", "Bolt"]
    unknown = await client.get("/v1/worklist", params={"collector": "nobody"}, headers=manager)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "collector_not_found")


async def test_the_worklist_exports_as_csv_and_as_xlsx_with_typed_cells(
    client: httpx.AsyncClient, collector: dict[str, str], example: dict[str, uuid.UUID]
) -> None:
    as_csv = await client.get("/v1/worklist/export", params={"format": "csv"}, headers=collector)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["rank"], r["name"], r["score"], r["overdue"]) for r in rows] == [
        ("1", "Crane", "301.00", "250000.00 EUR"), ("2", "Acme", "84.85", "12345.67 EUR"),
        ("3", "Bolt", "22.50", "500.00 EUR"),
    ]  # fmt: skip
    assert rows[1]["points_follow_up_due"] == "25.00"

    as_xlsx = await client.get("/v1/worklist/export", params={"format": "xlsx"}, headers=collector)
    assert (
        as_xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    crane = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (crane["rank"], crane["name"], crane["score"], crane["overdue_amount"], crane["currency"]) == (
        1, "Crane", 301, 250000, "EUR"
    )  # fmt: skip
    as_of = crane["as_of"]
    assert isinstance(as_of, datetime)  # a date cell, not text
    assert as_of.date() == D
    assert sheet.freeze_panes == "A2"
