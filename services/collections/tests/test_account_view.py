"""The account view built from the ledger's and the credit service's events (payments, unapplied
cash, credit memos, write-offs, reversals, voids, holds), reason codes with their history,
activities with follow-ups and the contact history export. Business date set by hand to D."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ar_collections.models import Activity, EntityCalendar, Task, plumbing
from ar_collections.testing import Book, money
from ar_shared.clock import Clock
from ar_shared.events.credit import CreditHoldPlaced, CreditHoldReleased, CreditLimitChanged
from ar_shared.events.envelope import EventPayload
from ar_shared.events.ledger import (
    CreditMemoIssued,
    InvoiceSettled,
    InvoiceVoided,
    InvoiceWrittenOff,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
)

pytestmark = pytest.mark.integration

D = date(2026, 6, 30)
ENTITY = "AV01"


@pytest.fixture
async def account(book: Book) -> dict[str, uuid.UUID]:
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    await book.business_date(ENTITY, D)
    customer = await book.account(portfolio_id=portfolio, entity=ENTITY, name="Initech")
    ids = {"customer": customer}
    ids["i1"] = await book.invoice(
        customer, due=D - timedelta(days=40), amount="1000.00", entity=ENTITY, number="I-1"
    )
    ids["i2"] = await book.invoice(
        customer, due=D - timedelta(days=10), amount="2000.00", entity=ENTITY, number="I-2"
    )
    ids["i3"] = await book.invoice(
        customer, due=D + timedelta(days=20), amount="500.00", entity=ENTITY, number="I-3"
    )
    ids["i4"] = await book.invoice(
        customer, due=D - timedelta(days=90), amount="700.00", entity=ENTITY, number="I-4"
    )
    p1, p2, memo = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ids["p1"] = p1
    for event in (
        InvoiceVoided(
            invoice_id=ids["i4"],
            customer_id=customer,
            invoice_number="I-4",
            amount=money("700.00"),
            voided_on=D - timedelta(days=60),
        ),
        # 1,500.00 received: 1,000.00 auto-applied to I-1 (settling it), 500.00 left unapplied
        PaymentReceived(
            payment_id=p1,
            customer_id=customer,
            amount=money("1500.00"),
            received_on=D - timedelta(days=5),
            method="wire",
            unapplied=money("500.00"),
        ),
        PaymentApplied(
            application_id=uuid.uuid4(),
            customer_id=customer,
            invoice_id=ids["i1"],
            source_kind="payment",
            source_id=p1,
            amount=money("1000.00"),
            effective_date=D - timedelta(days=5),
            invoice_open_balance=money("0.00"),
        ),
        InvoiceSettled(
            invoice_id=ids["i1"],
            customer_id=customer,
            invoice_number="I-1",
            settled_on=D - timedelta(days=5),
            amount=money("1000.00"),
        ),
        # 200.00 of the unapplied cash applied to I-2 later
        PaymentApplied(
            application_id=uuid.uuid4(),
            customer_id=customer,
            invoice_id=ids["i2"],
            source_kind="unapplied_cash",
            source_id=p1,
            amount=money("200.00"),
            effective_date=D - timedelta(days=4),
            invoice_open_balance=money("1800.00"),
        ),
        CreditMemoIssued(
            credit_memo_id=memo,
            customer_id=customer,
            memo_number="CM-1",
            issue_date=D - timedelta(days=3),
            amount=money("100.00"),
        ),
        InvoiceWrittenOff(
            write_off_id=uuid.uuid4(),
            customer_id=customer,
            invoice_id=ids["i3"],
            amount=money("50.00"),
            reason_code="small_balance",
            effective_date=D - timedelta(days=2),
            invoice_open_balance=money("450.00"),
        ),
        # a cheque of 250.00 that bounced: it is neither unapplied cash nor the last payment
        PaymentReceived(
            payment_id=p2,
            customer_id=customer,
            amount=money("250.00"),
            received_on=D - timedelta(days=1),
            method="cheque",
            unapplied=money("250.00"),
        ),
        PaymentReversed(
            payment_id=p2,
            customer_id=customer,
            amount=money("250.00"),
            reversed_on=D,
            reason="bounced",
            unapplied_removed=money("250.00"),
        ),
    ):
        await book.deliver(event)
    placed = datetime(2026, 6, 1, tzinfo=UTC)
    credit_events: tuple[EventPayload, ...]
    ids["h1"], h2 = uuid.uuid4(), uuid.uuid4()
    credit_events = (
        CreditHoldPlaced(
            hold_id=ids["h1"],
            customer_id=customer,
            reason_code="past_due",
            source="policy",
            placed_by="credit-policy",
            placed_at=placed,
        ),
        CreditHoldPlaced(
            hold_id=h2,
            customer_id=customer,
            reason_code="fraud",
            source="manual",
            placed_by="ana",
            placed_at=placed,
        ),
        CreditHoldReleased(
            hold_id=h2,
            customer_id=customer,
            reason_code="fraud",
            source="manual",
            released_by="ana",
            released_at=placed + timedelta(days=1),
            release_reason="cleared",
        ),
        CreditLimitChanged(
            customer_id=customer,
            previous_limit=None,
            new_limit=money("10000.00"),
            changed_by="ana",
            reason="first limit",
        ),
    )
    for credit_event in credit_events:
        await book.deliver(credit_event)
    return ids


async def view(client: httpx.AsyncClient, headers: dict[str, str], customer: uuid.UUID) -> dict[str, Any]:
    response = await client.get(f"/v1/accounts/{customer}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def test_the_view_shows_balances_aging_items_payments_and_holds_from_the_events(
    client: httpx.AsyncClient, collector: dict[str, str], account: dict[str, uuid.UUID]
) -> None:
    shown = await view(client, collector, account["customer"])
    assert shown["business_date"] == str(D)
    # I-1 settled, I-4 void: I-2 (2,000 - 200) and I-3 (500 - 50 written off) are open
    assert [
        (i["invoice_number"], i["open_balance"]["amount"], i["days_past_due"], i["bucket"])
        for i in shown["open_items"]
    ] == [("I-2", "1800.00", 10, "1-30"), ("I-3", "450.00", -20, "current")]
    assert shown["open_item_count"] == 2
    assert shown["balances"] == [
        {
            "currency": "EUR",
            "open_balance": eur("2250.00"),
            "overdue": eur("1800.00"),
            "current": eur("450.00"),
            "unapplied_cash": eur("300.00"),
            "unapplied_credits": eur("100.00"),
            "net": eur("1850.00"),
        }
    ]
    assert shown["aging"] == [
        {
            "currency": "EUR",
            "buckets": {
                "current": "450.00",
                "1-30": "1800.00",
                "31-60": "0.00",
                "61-90": "0.00",
                "91-120": "0.00",
                "121+": "0.00",
            },
        }
    ]
    assert (shown["oldest_days_past_due"], shown["bucket"]) == (10, "1-30")
    assert shown["last_payment"] == {
        "payment_id": str(account["p1"]),
        "received_on": str(D - timedelta(days=5)),
        "amount": eur("1500.00"),
        "method": "wire",
    }
    assert [h["hold_id"] for h in shown["credit_holds"]] == [str(account["h1"])]
    assert shown["credit"]["credit_limit"] == eur("10000.00")
    assert shown["assignment"]["collector"] == "collector-anna"
    assert shown["do_not_contact"] is None
    assert shown["sla"] is None


async def test_an_older_business_date_replayed_from_the_log_does_not_move_the_account_back(
    client: httpx.AsyncClient, collector: dict[str, str], account: dict[str, uuid.UUID], book: Book
) -> None:
    await book.business_date(ENTITY, D - timedelta(days=5))  # an old announcement, delivered again
    shown = await view(client, collector, account["customer"])
    assert (shown["business_date"], shown["oldest_days_past_due"]) == (str(D), 10)
    # the same day in another time zone (a change that crosses no day) is kept; the next day ages it
    await book.business_date(ENTITY, D, time_zone="Europe/Berlin")
    async with book.session() as session:
        zone = select(EntityCalendar.time_zone).where(EntityCalendar.business_entity == ENTITY)
        assert await session.scalar(zone) == "Europe/Berlin"
    await book.business_date(ENTITY, D + timedelta(days=1), time_zone="Europe/Berlin")
    shown = await view(client, collector, account["customer"])
    assert (shown["business_date"], shown["oldest_days_past_due"]) == (str(D + timedelta(days=1)), 11)


async def test_reason_codes_are_set_on_open_items_of_the_account_and_kept_in_history(
    client: httpx.AsyncClient, collector: dict[str, str], account: dict[str, uuid.UUID], book: Book
) -> None:
    customer = account["customer"]
    url = f"/v1/accounts/{customer}/reason-codes"
    set_ = await client.post(
        url,
        json={"invoice_ids": [str(account["i2"])], "code": "awaiting_po", "note": "PO 4711"},
        headers=collector,
    )
    assert set_.status_code == 200, set_.text
    items = (await view(client, collector, customer))["open_items"]
    assert [(i["invoice_number"], i["reason_code"], i["reason_note"]) for i in items] == [
        ("I-2", "awaiting_po", "PO 4711"),
        ("I-3", None, None),
    ]
    # every item checked, nothing changes when one is wrong
    bad = await client.post(
        url,
        json={"invoice_ids": [str(account["i3"]), str(account["i1"]), str(uuid.uuid4())], "code": "in_legal"},
        headers=collector,
    )
    assert bad.status_code == 422
    assert [(e["field"], e["code"]) for e in bad.json()["errors"]] == [
        ("invoice_ids.1", "item_not_open"),
        ("invoice_ids.2", "not_an_item_of_the_account"),
    ]
    unknown = await client.post(
        url, json={"invoice_ids": [str(account["i3"])], "code": "bribed"}, headers=collector
    )
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [("code", "unknown_reason_code")]
    assert [i["reason_code"] for i in (await view(client, collector, customer))["open_items"]] == [
        "awaiting_po",
        None,
    ]
    cleared = await client.post(
        url, json={"invoice_ids": [str(account["i2"])], "code": None}, headers=collector
    )
    assert cleared.json() == [
        {
            "invoice_id": str(account["i2"]),
            "code": None,
            "note": None,
            "source": None,
            "set_by": None,
            "set_at": None,
        }
    ]
    history = (await client.get(f"{url}/history", headers=collector)).json()["items"]
    assert [(h["code"], h["previous_code"], h["set_by"]) for h in history] == [
        (None, "awaiting_po", "collector-anna"),
        ("awaiting_po", None, "collector-anna"),
    ]
    # an installation adds its own codes
    assert (
        await client.put("/v1/reason-codes/bribed", json={"description": "x"}, headers=collector)
    ).status_code == 403


async def test_an_activity_with_a_follow_up_date_creates_the_task_and_a_bad_one_writes_nothing(
    client: httpx.AsyncClient,
    collector: dict[str, str],
    account: dict[str, uuid.UUID],
    book: Book,
    clock: Clock,
) -> None:
    customer = account["customer"]
    url = f"/v1/accounts/{customer}/activities"
    two_days_ago = (clock.now() - timedelta(days=2)).isoformat()

    async def written() -> tuple[int, int, int]:
        async with book.session() as session:
            return (
                await session.scalar(select(func.count()).select_from(Activity)) or 0,
                await session.scalar(select(func.count()).select_from(Task)) or 0,
                await session.scalar(select(func.count()).select_from(plumbing.outbox)) or 0,
            )

    before = await written()
    early = await client.post(
        url,
        json={
            "kind": "call",
            "summary": "x",
            "occurred_at": two_days_ago,
            "next_follow_up_on": str(D - timedelta(days=3)),
        },
        headers=collector,
    )
    assert early.status_code == 422
    assert [(e["field"], e["code"]) for e in early.json()["errors"]] == [
        ("next_follow_up_on", "follow_up_before_activity")
    ]
    foreign_task = await client.post(
        url, json={"kind": "call", "summary": "x", "completes_task_id": str(uuid.uuid4())}, headers=collector
    )
    assert [e["code"] for e in foreign_task.json()["errors"]] == ["unknown_task"]
    assert await written() == before

    logged = await client.post(
        url,
        json={
            "kind": "call",
            "direction": "outbound",
            "outcome": "callback_requested",
            "contact": "Bob, AP",
            "summary": "Call back Friday",
            "duration_seconds": 95,
            "occurred_at": two_days_ago,
            "next_follow_up_on": str(D + timedelta(days=3)),
        },
        headers=collector,
    )
    assert logged.status_code == 201, logged.text
    activity = logged.json()
    assert (activity["occurred_on"], activity["next_follow_up_on"]) == (
        str(D - timedelta(days=2)),
        str(D + timedelta(days=3)),
    )
    tasks = (await client.get(f"/v1/accounts/{customer}/tasks", headers=collector)).json()["items"]
    assert [(t["id"], t["kind"], t["due_on"], t["source"], t["source_id"]) for t in tasks] == [
        (activity["follow_up_task_id"], "follow_up", str(D + timedelta(days=3)), "activity", activity["id"])
    ]
    # the call back is logged as the follow-up it is: the task is done
    back = await client.post(
        url,
        json={"kind": "call", "summary": "Called back", "completes_task_id": tasks[0]["id"]},
        headers=collector,
    )
    assert back.json()["completed_task_id"] == tasks[0]["id"]
    assert (await client.get(f"/v1/accounts/{customer}/tasks", headers=collector)).json()["items"] == []
    async with book.session() as session:
        emitted = (
            await session.scalars(select(plumbing.outbox.c.event_type).order_by(plumbing.outbox.c.id))
        ).all()
    assert emitted[-4:] == [
        "ar.collections.CollectionTaskCreated.v1",
        "ar.collections.ActivityLogged.v1",
        "ar.collections.CollectionTaskCompleted.v1",
        "ar.collections.ActivityLogged.v1",
    ]
    shown = await view(client, collector, customer)
    assert [a["summary"] for a in shown["recent_activities"]] == ["Called back", "Call back Friday"]
    assert shown["account"]["last_contact_on"] == str(D)


async def test_the_contact_history_is_filterable_and_exportable(
    client: httpx.AsyncClient, collector: dict[str, str], account: dict[str, uuid.UUID], clock: Clock
) -> None:
    customer = account["customer"]
    url = f"/v1/accounts/{customer}/activities"
    for days_ago, kind, outcome in (
        (5, "call", "no_answer"),
        (3, "email", None),
        (1, "call", "reached"),
        (0, "note", None),
    ):
        body = {
            "kind": kind,
            "summary": f"{kind} {days_ago}",
            "occurred_at": (clock.now() - timedelta(days=days_ago)).isoformat(),
        }
        response = await client.post(
            url, json=body | ({"outcome": outcome} if outcome else {}), headers=collector
        )
        assert response.status_code == 201, response.text
    calls = (await client.get(url, params={"kind": "call"}, headers=collector)).json()["items"]
    assert [a["summary"] for a in calls] == ["call 1", "call 5"]
    recent = (await client.get(url, params={"from": str(D - timedelta(days=3))}, headers=collector)).json()[
        "items"
    ]
    assert [a["summary"] for a in recent] == ["note 0", "call 1", "email 3"]
    reached = (await client.get(url, params={"outcome": "reached"}, headers=collector)).json()["items"]
    assert [a["summary"] for a in reached] == ["call 1"]
    exported = await client.get(f"{url}/export", params={"kind": "call", "format": "csv"}, headers=collector)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["summary"], r["outcome"], r["direction"], r["logged_by"]) for r in rows] == [
        ("call 1", "reached", "outbound", "collector-anna"),
        ("call 5", "no_answer", "outbound", "collector-anna"),
    ]
    as_xlsx = await client.get(f"{url}/export", params={"format": "xlsx"}, headers=collector)
    assert as_xlsx.status_code == 200
    assert as_xlsx.content[:2] == b"PK"  # a zip: the workbook
