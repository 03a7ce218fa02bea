"""The whole platform as one: four services running as supervised processes (`deploy/services.sh`,
API and worker each), driven only through their public APIs and checked through the APIs and the
events on Kafka.

The lifecycle: an ERP posts a customer and invoices → the entity's business date advances → the
past-due sweep's AccountPastDue → a policy hold → an order refused and waiting in the blocked-order
queue → the strategy run's reminder received by an SMTP server → the collector's worklist with the
account first and its SLA → a call and a promise → a payment auto-applied by its remittance
reference → the promise kept → the hold released → the order released → the credit check approves.
The dispute path: a dispute resolved valid → CreditMemoRequested → the memo posted to the ledger
with the request id → CreditMemoIssued → the case closed.

Dates come from the entity's business date as the platform reports it (the services run on the
wall clock), never from a literal.
"""

from __future__ import annotations

import email
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiosmtpd.controller import Controller

from ar_shared.testing.platform import Platform, running_platform
from ar_shared.testing.ports import unused_port
from ar_shared.testing.stack import Stack
from ar_shared.testing.watch import EventLog, eventually, reading_events

pytestmark = [pytest.mark.integration, pytest.mark.slow]

T = TypeVar("T")
COLLECTOR = "alice.collector"
REMINDER_SUBJECT = "Acme GmbH: your overdue invoices"
REMINDER_TEXT = (
    "Dear {{ customer_name }},\n\nthese invoices are overdue:\n"
    "{% for item in open_items %}{{ item.invoice_number }} {{ item.open_balance }} {{ item.currency }} "
    "({{ item.days_past_due }} days)\n{% endfor %}"
    "{% for currency, total in totals.items() %}Total {{ total }} {{ currency }}\n{% endfor %}"
)


class Inbox:
    """The customer's mail server (aiosmtpd): every message it received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def text_of(message: Message) -> str:
    [plain] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return bytes(plain.get_payload(decode=True)).decode()


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), unused_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class Running:
    """The running platform, its events as read from Kafka, the mail server, an operator's clients."""

    platform: Platform
    events: EventLog
    inbox: Inbox
    ledger: httpx.AsyncClient
    credit: httpx.AsyncClient
    collections: httpx.AsyncClient
    notifications: httpx.AsyncClient

    async def date_of(self, entity: str) -> date:
        answer = await self.ledger.get(f"/v1/business-dates/{entity}")
        assert answer.status_code == 200, answer.text
        return date.fromisoformat(answer.json()["business_date"])


@pytest.fixture(scope="module")
async def running(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Inbox, int]
) -> AsyncIterator[Running]:
    unique = uuid.uuid4().hex[:10]
    env = {
        "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "NOTIFICATIONS_SMTP_PORT": str(smtp[1]),
        # the worker looks for due deliveries every 2 s by default: the test waits on each message
        "NOTIFICATIONS_DISPATCH_INTERVAL_SECONDS": "0.2",
    }
    local_dir: Path = tmp_path_factory.mktemp("platform")
    async with (
        running_platform(stack, local_dir, unique, env=env) as platform,
        platform.client("ledger", subject="platform-operator") as ledger,
        platform.client("credit", subject="platform-operator") as credit,
        platform.client("collections", subject="platform-operator") as collections,
        platform.client("notifications", subject="platform-operator") as notifications,
        reading_events(stack.kafka_bootstrap, platform.topic_prefix) as events,
    ):
        yield Running(platform, events, smtp[0], ledger, credit, collections, notifications)


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def expect_json(response: Awaitable[httpx.Response], status: int = 201) -> dict[str, Any]:
    """The JSON body of a response that must have `status` (the body is shown when it has not)."""
    answer = await response
    assert answer.status_code == status, f"{answer.request.method} {answer.request.url}: {answer.text}"
    return dict(answer.json())


def new_key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def upsert_customer(p: Running, entity: str, external_id: str, name: str, contact: str) -> str:
    body = {
        "name": name,
        "currency": "EUR",
        "payment_terms_days": 30,
        "business_entity": entity,
        "contact_email": contact,
    }
    customer = await expect_json(p.ledger.put(f"/v1/customers/external/{external_id}", json=body))
    return str(customer["id"])


async def post_invoice(p: Running, external_id: str, number: str, amount: str, due: date) -> str:
    body = {
        "customer_external_id": external_id,
        "invoice_number": number,
        "amount": eur(amount),
        "issue_date": (due - timedelta(days=30)).isoformat(),
        "due_date": due.isoformat(),
    }
    return str((await expect_json(p.ledger.post("/v1/invoices", json=body, headers=new_key())))["id"])


async def account_known(p: Running, customer_id: str, open_balance: str) -> dict[str, Any]:
    """Collections' account once its projection holds `open_balance` (ledger → Kafka → collections)."""

    async def probe() -> Any:
        answer = await p.collections.get(f"/v1/accounts/{customer_id}")
        return answer.json() if answer.status_code == 200 else answer.status_code

    return dict(
        await eventually(
            f"collections' account {customer_id} with {open_balance} open",
            probe,
            lambda a: (
                isinstance(a, dict) and [b["open_balance"] for b in a["balances"]] == [eur(open_balance)]
            ),
        )
    )


async def credit_check(p: Running, customer_id: str, amount: str) -> dict[str, Any]:
    params = {"customer_id": customer_id, "amount": amount, "currency": "EUR"}
    return await expect_json(p.credit.get("/v1/credit-check", params=params), 200)


async def operator_sets_up(p: Running, entity: str) -> str:
    """What an operator configures before the book arrives; returns the collector's portfolio id."""
    template = {
        "key": "first_reminder",
        "locale": "en",
        "subject": REMINDER_SUBJECT,
        "body_text": REMINDER_TEXT,
        "body_html": "<p>Dear {{ customer_name }}, please pay your overdue invoices.</p>",
    }
    await expect_json(p.notifications.post("/v1/templates", json=template, headers=new_key()))
    await expect_json(
        p.credit.put(
            "/v1/credit-policies/high",
            json={
                "max_days_past_due": 10,
                "max_overdue_amounts": [eur("100000.00")],
                "limit_tolerance_percent": "0",
                "auto_hold": True,
            },
        ),
        200,
    )
    await expect_json(p.collections.put(f"/v1/collectors/{COLLECTOR}", json={"display_name": "Alice"}))
    portfolio = await expect_json(
        p.collections.post("/v1/portfolios", json={"name": f"{entity} book", "collector": COLLECTOR})
    )
    await expect_json(
        p.collections.post(
            "/v1/assignment-rules",
            json={
                "name": f"{entity} to Alice",
                "portfolio_id": portfolio["id"],
                "priority": 10,
                "business_entity": entity,
            },
        )
    )
    steps = [
        {"days": 5, "action": "email_reminder", "template_key": "first_reminder"},
        {"days": 10, "action": "call_task", "sla_days": 2},
    ]
    await expect_json(p.collections.post("/v1/dunning-strategies", json={"name": "standard", "steps": steps}))
    await expect_json(
        p.collections.post(
            "/v1/strategy-segments",
            json={
                "name": entity,
                "strategy": "standard",
                "priority": 10,
                "business_entity": entity,
            },
        )
    )
    return str(portfolio["id"])


async def test_an_overdue_account_is_held_dunned_worked_paid_and_released(running: Running) -> None:
    p = running
    entity = f"E2E{uuid.uuid4().hex[:5].upper()}"
    portfolio_id = await operator_sets_up(p, entity)
    d0 = await p.date_of(entity)
    # by hand from here on: the platform's rules follow the date the test sets
    await expect_json(
        p.ledger.put(f"/v1/business-dates/{entity}", json={"business_date": d0.isoformat()}), 200
    )

    # the credit team's profiles by ERP id (pending until the customers arrive), then the ERP posts
    a_ext, b_ext = f"ERP-{uuid.uuid4().hex[:8]}", f"ERP-{uuid.uuid4().hex[:8]}"
    for external_id in (a_ext, b_ext):
        await expect_json(
            p.credit.put(
                f"/v1/credit-profiles/external/{external_id}",
                json={
                    "credit_limit": eur("5000.00"),
                    "risk_class": "high",
                    "reason": "onboarding",
                },
            ),
            202,
        )
    a_id = await upsert_customer(p, entity, a_ext, "Globex Ltd", "ap@globex.example")
    b_id = await upsert_customer(p, entity, b_ext, "Initech plc", "ap@initech.example")
    a1 = await post_invoice(p, a_ext, f"A1-{entity}", "1200.00", due=d0 + timedelta(days=1))
    await post_invoice(p, a_ext, f"A2-{entity}", "300.00", due=d0 + timedelta(days=20))
    await post_invoice(p, b_ext, f"B1-{entity}", "250.00", due=d0 + timedelta(days=12))
    account = await account_known(p, a_id, "1500.00")
    assert (account["assignment"]["portfolio_id"], account["assignment"]["collector"]) == (
        portfolio_id,
        COLLECTOR,
    )
    await account_known(p, b_id, "250.00")
    await eventually(
        "credit's exposure of Globex",
        lambda: credit_check(p, a_id, "1.00"),
        lambda c: (c["exposure"]["open_ar"], c["credit_limit"]) == (eur("1500.00"), eur("5000.00")),
    )

    # the business date advances 14 days: each day closed (sweep, holds, strategy run)
    today = d0 + timedelta(days=14)
    advanced = await expect_json(
        p.ledger.put(f"/v1/business-dates/{entity}", json={"business_date": today.isoformat()}), 200
    )
    assert advanced["last_closed"] == today.isoformat()
    announced = await p.events.exactly("ledger.events", entity, "BusinessDateChanged", 15)
    assert [e["data"]["business_date"] for e in announced] == [
        (d0 + timedelta(days=n)).isoformat() for n in range(15)
    ]  # each business day closed once, in order
    past_due = await p.events.exactly("ledger.events", a_id, "AccountPastDue")
    assert [
        (e["data"]["as_of"], e["data"]["bucket"], e["data"]["oldest_days_past_due"]) for e in past_due
    ] == [((d0 + timedelta(days=2)).isoformat(), "1-30", 1)]
    (b_past_due,) = await p.events.exactly("ledger.events", b_id, "AccountPastDue")
    assert (b_past_due["data"]["as_of"], b_past_due["data"]["oldest_days_past_due"]) == (
        (d0 + timedelta(days=13)).isoformat(),
        1,
    )
    (placed,) = await p.events.exactly("credit.events", a_id, "CreditHoldPlaced")
    assert (placed["data"]["reason_code"], placed["data"]["source"]) == ("past_due", "policy")
    held = await eventually(
        "the credit check judging Globex on the new date",
        lambda: credit_check(p, a_id, "200.00"),
        lambda c: c["business_date"] == today.isoformat(),
    )
    assert (held["decision"], held["reason_codes"]) == ("held", ["credit_hold", "past_due"])
    assert held["available_credit"] == eur("3500.00")
    assert (held["exposure"]["oldest_days_past_due"], held["exposure"]["overdue"]) == (13, eur("1200.00"))
    assert [(h["reason_code"], h["source"]) for h in held["holds"]] == [("past_due", "policy")]

    # sales ops: the order is refused and waits in the blocked-order queue
    order_ref = f"SO-{uuid.uuid4().hex[:8]}"
    order = await expect_json(
        p.credit.post(
            "/v1/credit-decisions",
            headers=new_key(),
            json={
                "order_reference": order_ref,
                "customer_id": a_id,
                "amount": eur("200.00"),
            },
        )
    )
    assert (order["status"], order["decision"], order["reason_codes"]) == (
        "refused",
        "held",
        ["credit_hold", "past_due"],
    )
    blocked = await expect_json(p.credit.get("/v1/credit-decisions", params={"status": "refused"}), 200)
    assert [(d["order_reference"], d["customer_id"]) for d in blocked["items"]] == [(order_ref, a_id)]

    # the strategy run's reminder (day 5 of Globex) reached the customer's mail server, once
    (reminder,) = await eventually(
        "the reminder in Globex's inbox", async_value(lambda: p.inbox.to("ap@globex.example")), bool
    )
    assert reminder["Subject"] == REMINDER_SUBJECT
    body = text_of(reminder)
    assert "Dear Globex Ltd" in body
    assert f"A1-{entity} 1200.00 EUR (5 days)" in body
    assert f"A2-{entity}" not in body  # not due yet
    assert "Total 1200.00 EUR" in body
    assert p.inbox.to("ap@initech.example") == []  # two days past due: no step yet

    # collections is on the new date and the run of day 10 (Globex's call task) has fired
    dunning = await eventually(
        "Globex's dunning level after the runs of every day closed",
        lambda: expect_json(p.collections.get(f"/v1/accounts/{a_id}"), 200),
        lambda view: (view["business_date"], view["dunning"]["level_days"]) == (today.isoformat(), 10),
    )
    assert (dunning["dunning"]["strategy"], dunning["dunning"]["level_action"]) == ("standard", "call_task")

    # the collector's worklist: Globex first, with the call task's SLA
    collector = p.platform.client("collections", "collections:work", subject=COLLECTOR)
    async with collector:
        worklist = await expect_json(collector.get("/v1/worklist"), 200)
        assert len(worklist["items"]) == 2
        first, second = worklist["items"]
        assert (first["customer_id"], second["customer_id"]) == (a_id, b_id)
        assert (first["as_of"], first["oldest_days_past_due"], first["overdue"]) == (
            today.isoformat(),
            13,
            [eur("1200.00")],
        )
        sla = first["sla"]
        assert (sla["source"], sla["due_on"], sla["breached"]) == (
            "task",
            (d0 + timedelta(days=13)).isoformat(),
            True,
        )
        assert second["oldest_days_past_due"] == 2

        # a call and a promise to pay the overdue invoice in two days
        call = await expect_json(
            collector.post(
                f"/v1/accounts/{a_id}/activities",
                headers=new_key(),
                json={
                    "kind": "call",
                    "outcome": "promised_to_pay",
                    "contact": "Jane Roe (AP)",
                    "summary": "Will pay INV A1 by wire this week",
                },
            )
        )
        assert call["completed_task_id"] == sla["task_id"]  # the call did the strategy's call task
        promise = await expect_json(
            collector.post(
                f"/v1/accounts/{a_id}/promises",
                headers=new_key(),
                json={
                    "amount": eur("1200.00"),
                    "promised_date": (today + timedelta(days=2)).isoformat(),
                    "invoice_ids": [a1],
                    "channel": "call",
                    "contact": "Jane Roe (AP)",
                },
            )
        )
        assert (promise["status"], promise["invoice_ids"]) == ("open", [a1])
        activities = await expect_json(collector.get(f"/v1/accounts/{a_id}/activities"), 200)
        # the promise given on the call is in the contact history with it
        assert {a["id"] for a in activities["items"]} == {call["id"], promise["activity_id"]}

    await p.events.exactly("collections.events", a_id, "PromiseToPayRecorded")
    confirmation = await eventually(
        "the promise confirmation in Globex's inbox",
        async_value(lambda: p.inbox.to("ap@globex.example")),
        lambda m: len(m) == 2,
    )
    assert confirmation[1]["Subject"] == "Confirmation of your payment promise"

    # the payment, auto-applied by its remittance reference; the ERP's retry replays the answer
    cash = {
        "customer_external_id": a_ext,
        "amount": eur("1200.00"),
        "received_on": today.isoformat(),
        "method": "wire",
        "remittance_reference": f"A1-{entity}",
    }
    key = new_key()
    payment = await expect_json(p.ledger.post("/v1/payments", headers=key, json=cash))
    assert payment["unapplied"] == eur("0.00")
    assert [(a["invoice_id"], a["amount"]) for a in payment["applications"]] == [(a1, eur("1200.00"))]
    assert await expect_json(p.ledger.post("/v1/payments", headers=key, json=cash)) == payment
    (applied,) = await p.events.exactly("ledger.events", a_id, "PaymentApplied")
    assert (applied["data"]["invoice_id"], applied["data"]["amount"]) == (a1, eur("1200.00"))

    kept = await eventually(
        "the promise judged",
        lambda: expect_json(p.collections.get(f"/v1/accounts/{a_id}/promises/{promise['id']}"), 200),
        lambda pr: pr["status"] != "open",
    )
    assert (kept["status"], kept["received"], kept["judged_on"]) == (
        "kept",
        eur("1200.00"),
        today.isoformat(),
    )
    await p.events.exactly("collections.events", a_id, "PromiseToPayKept")
    (released,) = await p.events.exactly("credit.events", a_id, "CreditHoldReleased")
    assert (released["data"]["hold_id"], released["data"]["released_by"]) == (
        placed["data"]["hold_id"],
        "credit-policy",
    )
    (changed,) = await p.events.exactly("credit.events", a_id, "CreditDecisionChanged")
    assert (
        changed["data"]["order_reference"],
        changed["data"]["previous_status"],
        changed["data"]["status"],
    ) == (order_ref, "refused", "approved")
    queue = await expect_json(p.credit.get("/v1/credit-decisions", params={"customer_id": a_id}), 200)
    assert [(d["order_reference"], d["status"]) for d in queue["items"]] == [(order_ref, "approved")]
    still_blocked = await expect_json(p.credit.get("/v1/credit-decisions", params={"status": "refused"}), 200)
    assert still_blocked["items"] == []
    approved = await eventually(
        "the credit check approving Globex",
        lambda: credit_check(p, a_id, "200.00"),
        lambda c: c["holds"] == [],
    )
    assert (approved["decision"], approved["reason_codes"]) == ("approved", [])
    exposure = approved["exposure"]
    assert (exposure["open_ar"], exposure["overdue"], exposure["open_orders"]) == (
        eur("300.00"),
        eur("0.00"),
        eur("200.00"),  # the released order ships: it counts until invoiced
    )
    assert approved["available_credit"] == eur("4500.00")

    # each fact once on Kafka
    ledger_events = {"CustomerUpserted": 1, "InvoiceIssued": 2, "AccountPastDue": 1, "PaymentReceived": 1}
    await p.events.counted("ledger.events", a_id, {**ledger_events, "PaymentApplied": 1, "InvoiceSettled": 1})
    credit_events = {"CreditHoldPlaced": 1, "CreditHoldReleased": 1, "CreditDecisionChanged": 1}
    await p.events.counted("credit.events", a_id, credit_events)
    await p.events.counted("collections.events", a_id, {"PromiseToPayRecorded": 1, "PromiseToPayKept": 1})
    await p.events.counted("notifications.events", a_id, {"NotificationSent": 2})
    requested = [
        e["data"]["template_key"] for e in p.events.of("collections.events", a_id, "NotificationRequested")
    ]
    assert sorted(requested) == ["first_reminder", "promise_confirmation"]
    assert len(p.inbox.to("ap@globex.example")) == 2
    deliveries = await expect_json(p.notifications.get("/v1/deliveries", params={"customer_id": a_id}), 200)
    assert sorted(
        (d["template_key"], d["recipient"], d["status"], d["attempts"]) for d in deliveries["items"]
    ) == [
        ("first_reminder", "ap@globex.example", "sent", 1),
        ("promise_confirmation", "ap@globex.example", "sent", 1),
    ]
    p.events.ids_are_unique()


def async_value(read: Callable[[], T]) -> Callable[[], Awaitable[T]]:
    async def probe() -> T:
        return read()

    return probe


async def test_a_valid_dispute_requests_a_memo_that_the_erp_posts_and_that_closes_the_case(
    running: Running,
) -> None:
    p = running
    entity = f"E2D{uuid.uuid4().hex[:5].upper()}"
    today = await p.date_of(entity)
    ext = f"ERP-{uuid.uuid4().hex[:8]}"
    customer_id = await upsert_customer(p, entity, ext, "Umbrella Corp", "ap@umbrella.example")
    invoice_id = await post_invoice(p, ext, f"U1-{entity}", "800.00", due=today - timedelta(days=10))
    await account_known(p, customer_id, "800.00")

    opened = await expect_json(
        p.collections.post(
            f"/v1/accounts/{customer_id}/disputes",
            headers=new_key(),
            json={
                "items": [{"invoice_id": invoice_id, "amount": eur("150.00")}],
                "reason_code": "pricing",
            },
        )
    )
    case_id = opened["id"]
    (dispute_opened,) = await p.events.exactly("collections.events", customer_id, "DisputeOpened")
    assert dispute_opened["data"]["disputed_amount"] == eur("150.00")
    disputed = await eventually(
        "credit's exposure with the disputed amount",
        lambda: credit_check(p, customer_id, "1.00"),
        lambda c: c["exposure"]["disputed"] == eur("150.00"),
    )
    assert disputed["exposure"]["open_ar"] == eur("800.00")

    resolved = await expect_json(
        p.collections.post(
            f"/v1/disputes/{case_id}/status",
            headers=new_key(),
            json={
                "status": "resolved_valid",
                "root_cause_code": "billing_error",
                "note": "list price was wrong",
            },
        ),
        200,
    )
    assert resolved["status"] == "resolved_valid"
    assert resolved["closed"] is False  # until the memo arrives

    # the ERP, subscribed to collections.events, answers the request through the ledger's API
    (request,) = await p.events.exactly("collections.events", customer_id, "CreditMemoRequested")
    data = request["data"]
    assert (data["invoice_id"], data["amount"], data["dispute_id"]) == (invoice_id, eur("150.00"), case_id)
    answer = {
        "customer_id": customer_id,
        "memo_number": f"CM-{entity}",
        "issue_date": today.isoformat(),
        "amount": data["amount"],
        "invoice_id": data["invoice_id"],
        "reason_code": data["reason_code"],
        "request_id": data["request_id"],
        "dispute_id": data["dispute_id"],
    }
    memo = await expect_json(p.ledger.post("/v1/credit-memos", headers=new_key(), json=answer))
    # the ERP answering the same request twice (another memo number) is refused: one memo per request
    twice = await p.ledger.post(
        "/v1/credit-memos", headers=new_key(), json={**answer, "memo_number": f"CM2-{entity}"}
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "duplicate_memo_request")
    (issued,) = await p.events.exactly("ledger.events", customer_id, "CreditMemoIssued")
    assert (issued["data"]["credit_memo_id"], issued["data"]["request_id"]) == (
        memo["id"],
        data["request_id"],
    )

    case = await eventually(
        "the dispute case closed by the memo",
        lambda: expect_json(p.collections.get(f"/v1/disputes/{case_id}"), 200),
        lambda c: c["closed"] is True,
    )
    assert case["items"][0]["credit_memo_id"] == memo["id"]
    assert case["history"][-1]["to_status"] == "closed"
    await p.events.exactly("collections.events", customer_id, "DisputeResolved")
    # the memo was applied to the disputed invoice at once: 650.00 left, seen alike by every service
    invoice = await expect_json(p.ledger.get(f"/v1/invoices/{invoice_id}"), 200)
    assert invoice["open_balance"] == eur("650.00")
    await account_known(p, customer_id, "650.00")
    cleared = await eventually(
        "credit's exposure without the dispute",
        lambda: credit_check(p, customer_id, "1.00"),
        lambda c: c["exposure"]["disputed"] == eur("0.00"),
    )
    assert cleared["exposure"]["open_ar"] == eur("650.00")
    assert (cleared["decision"], cleared["reason_codes"]) == (
        "over_limit",
        ["exceeds_available_credit", "no_credit_limit"],  # no credit profile: a limit of 0
    )
    collections_events = {"DisputeOpened": 1, "DisputeResolved": 1, "CreditMemoRequested": 1}
    await p.events.counted("collections.events", customer_id, collections_events)
    await p.events.counted("ledger.events", customer_id, {"CreditMemoIssued": 1, "PaymentApplied": 1})
    (memo_applied,) = p.events.of("ledger.events", customer_id, "PaymentApplied")
    assert (memo_applied["data"]["source_kind"], memo_applied["data"]["source_id"]) == (
        "credit_memo",
        memo["id"],
    )
    p.events.ids_are_unique()
