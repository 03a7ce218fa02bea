"""Every ledger event the credit service consumes places or releases the policy hold in that
event's own transaction: the ledger is driven through its API, its events travel over real Kafka
one at a time, and after each one the credit API already answers as the event requires."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers as credit_handlers
from ar_credit.main import create_app as create_credit_app
from ar_credit.models import plumbing as credit_plumbing
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as create_ledger_app
from ar_ledger.models import plumbing as ledger_plumbing
from ar_shared.clock import Clock
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn
from ar_shared.events.envelope import EventPayload
from ar_shared.events.ledger import (
    AccountPastDue,
    BusinessDateChanged,
    CreditMemoIssued,
    CustomerUpserted,
    InvoiceIssued,
    InvoiceVoided,
    InvoiceWrittenOff,
    LedgerEvent,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
)
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import pinned_clock
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

# The apps, the credit consumer and the tokens of this module read this clock; each test starts
# it at the next weekday noon after the tests' clock and may move it on.
CLOCK = pinned_clock()


@pytest.fixture(autouse=True)
def clock() -> Clock:
    CLOCK.set(pinned_clock().now())
    return CLOCK


def today() -> date:
    return CLOCK.now().date()  # the credit service's business time zone is UTC in tests


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@dataclass
class Customer:
    id: uuid.UUID
    external_id: str
    business_entity: str
    last_event: int = 0  # the ledger outbox row of the last event credit was made to handle


@dataclass(frozen=True)
class CreditView:
    """What the credit API says about a customer."""

    decision: str
    policy_holds: list[str]  # reason codes of the active policy holds
    overdue: str
    oldest_days_past_due: int


@dataclass
class LedgerAndCredit:
    """The ledger API, its outbox relay, Kafka, and a credit consumer stepped one event at a time."""

    ledger: httpx.AsyncClient
    credit: httpx.AsyncClient
    ledger_app: FastAPI
    credit_app: FastAPI
    relay: OutboxRelay
    runner: ConsumerRunner
    group: str

    def ledger_headers(self) -> dict[str, str]:
        return bearer(self.ledger_app.state.settings.auth, "ledger:write", "ledger:read", clock=CLOCK)

    def credit_headers(self) -> dict[str, str]:
        return bearer(
            self.credit_app.state.settings.auth,
            "credit:manage",
            "credit:check",
            subject="manager",
            clock=CLOCK,
        )

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.ledger.post(path, json=body, headers=self.ledger_headers())
        assert response.status_code in {200, 201}, response.text
        return dict(response.json())

    async def customer(self, *, limit: str, risk_class: str = "high") -> Customer:
        """A high-risk customer (policy: 30 days past due, 5,000 overdue, no tolerance), of an
        entity of its own."""
        external_id, entity = f"EV-{uuid.uuid4().hex[:12]}", f"E{uuid.uuid4().hex[:10]}"
        response = await self.ledger.put(
            f"/v1/customers/external/{external_id}",
            json={"name": "Event By Event", "currency": "EUR", "payment_terms_days": 30,
                  "business_entity": entity},
            headers=self.ledger_headers(),
        )  # fmt: skip
        assert response.status_code in {200, 201}, response.text
        customer = Customer(uuid.UUID(response.json()["id"]), external_id, entity)
        await self.handled(customer, CustomerUpserted)
        profile = await self.credit.put(
            f"/v1/credit-profiles/{customer.id}",
            json={"credit_limit": eur(limit), "risk_class": risk_class, "reason": "onboarding"},
            headers=self.credit_headers(),
        )
        assert profile.status_code == 201, profile.text
        return customer

    async def invoice(self, customer: Customer, amount: str, *, due: date) -> dict[str, Any]:
        return await self.post(
            "/v1/invoices",
            {"customer_external_id": customer.external_id, "invoice_number": f"I-{uuid.uuid4().hex[:8]}",
             "issue_date": (due - timedelta(days=30)).isoformat(), "due_date": due.isoformat(),
             "amount": eur(amount)},
        )  # fmt: skip

    async def pay(self, customer: Customer, amount: str, *, to: dict[str, Any] | None) -> dict[str, Any]:
        """A payment allocated to invoice `to` in full, or left unapplied."""
        allocations = [{"invoice_id": to["id"], "amount": eur(amount)}] if to else []
        return await self.post(
            "/v1/payments",
            {"customer_external_id": customer.external_id, "amount": eur(amount),
             "received_on": today().isoformat(), "allocations": allocations},
        )  # fmt: skip

    async def credit_memo(self, customer: Customer, amount: str, *, against: dict[str, Any] | None) -> None:
        """A credit memo, applied at once to invoice `against` or left standalone."""
        await self.post(
            "/v1/credit-memos",
            {"customer_external_id": customer.external_id, "memo_number": f"CM-{uuid.uuid4().hex[:8]}",
             "issue_date": today().isoformat(), "amount": eur(amount),
             "invoice_id": against["id"] if against else None},
        )  # fmt: skip

    async def handled(self, customer: Customer, event: type[EventPayload]) -> None:
        """Credit handles the customer's next ledger event it consumes, which must be `event`,
        and nothing after it: what the caller then reads is what that event's transaction left."""
        await self.relay.drain()
        o = ledger_plumbing.outbox
        async with self.ledger_app.state.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(o.c.id, o.c.event_id, o.c.event_type)
                    .where(o.c.message_key == str(customer.id), o.c.id > customer.last_event)
                    .order_by(o.c.id)
                )
            ).all()
        consumed = [r for r in rows if credit_handlers.get(r.event_type) is not None]
        assert [r.event_type for r in consumed[:1]] == [event.event_type()], rows
        next_event = consumed[0]
        customer.last_event = next_event.id
        # one message per poll: the customer's later events (same partition) wait their turn
        async with asyncio.timeout(60):
            while not await self._in_credit_inbox(next_event.event_id):
                await self.runner.poll_once(timeout_ms=200)

    async def set_business_date(self, customer: Customer, on: date) -> None:
        """Sets the customer's entity's business date by hand: the ledger closes each day up to it."""
        admin = bearer(self.ledger_app.state.settings.auth, "admin", clock=CLOCK)
        response = await self.ledger.put(
            f"/v1/business-dates/{customer.business_entity}",
            json={"business_date": on.isoformat()},
            headers=admin,
        )
        assert response.status_code == 200, response.text

    async def day_closed(self, customer: Customer, on: date) -> None:
        """Credit handles the BusinessDateChanged of the customer's entity for `on` (and those of
        the entity before it: they share its partition)."""
        await self.relay.drain()
        o = ledger_plumbing.outbox
        async with self.ledger_app.state.engine.connect() as conn:
            event_id = await conn.scalar(
                select(o.c.event_id).where(
                    o.c.message_key == customer.business_entity,
                    o.c.envelope["data"]["business_date"].astext == on.isoformat(),
                )
            )
        assert event_id is not None, f"no BusinessDateChanged of {customer.business_entity} for {on}"
        async with asyncio.timeout(60):
            while not await self._in_credit_inbox(event_id):
                await self.runner.poll_once(timeout_ms=200)

    async def _in_credit_inbox(self, event_id: uuid.UUID) -> bool:
        inbox = credit_plumbing.inbox
        async with self.credit_app.state.engine.connect() as conn:
            found = await conn.scalar(
                select(inbox.c.event_id).where(
                    inbox.c.consumer_group == self.group, inbox.c.event_id == event_id
                )
            )
        return found is not None

    async def view(self, customer: Customer) -> CreditView:
        """The credit check for a one-cent order and the holds list, which must agree."""
        check = await self.credit.get(
            "/v1/credit-check",
            params={"customer_id": str(customer.id), "amount": "0.01", "currency": "EUR"},
            headers=self.credit_headers(),
        )
        assert check.status_code == 200, check.text
        holds = await self.credit.get(
            "/v1/holds",
            params={"customer_id": str(customer.id), "status": "active"},
            headers=self.credit_headers(),
        )
        assert holds.status_code == 200, holds.text
        answer = check.json()
        checked = sorted(h["reason_code"] for h in answer["holds"] if h["source"] == "policy")
        listed = sorted(h["reason_code"] for h in holds.json()["items"] if h["source"] == "policy")
        assert checked == listed, (answer, holds.json())
        exposure = answer["exposure"]
        assert exposure["overdue"]["currency"] == "EUR"
        return CreditView(
            answer["decision"], checked, exposure["overdue"]["amount"], exposure["oldest_days_past_due"]
        )


def held(reason: str, overdue: str, days: int) -> CreditView:
    return CreditView("held", [reason], overdue, days)


APPROVED = CreditView("approved", [], "0.00", 0)


@pytest.fixture(scope="module")
async def platform(stack: Stack, all_schemas: None) -> AsyncIterator[LedgerAndCredit]:
    unique = uuid.uuid4().hex[:12]
    prefix = f"e{unique}."
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": stack.kafka_bootstrap}
    ledger_settings = LedgerSettings(database_url=SecretStr(stack.url("ledger", "app")), **common)
    credit_settings = CreditSettings(database_url=SecretStr(stack.url("credit", "app")), **common)
    producer = build_producer(stack.kafka_bootstrap, "ar-test")
    await producer.start()
    try:
        async with (
            running(create_ledger_app(ledger_settings, CLOCK), rollback=False) as ledger,
            running(create_credit_app(credit_settings, CLOCK), rollback=False) as credit,
            client_for(ledger) as lc,
            client_for(credit) as cc,
        ):
            relay = OutboxRelay(
                ledger.state.engine, ledger_plumbing, producer, asyncpg_dsn(stack.url("ledger", "app")),
                RelaySettings(topic_prefix=prefix),
            )  # fmt: skip
            group = f"credit-{unique}"
            consumer = ConsumerSettings(
                group_id=group, bootstrap_servers=stack.kafka_bootstrap, topic_prefix=prefix, max_batch=1
            )
            # the credit app's sessionmaker is the one the credit worker builds (ar_shared.db)
            runner = ConsumerRunner(
                consumer, credit_handlers, credit.state.sessionmaker, credit_plumbing, producer, CLOCK
            )
            await runner.start()
            try:
                yield LedgerAndCredit(lc, cc, ledger, credit, relay, runner, group)
            finally:
                await runner.stop()
    finally:
        await producer.stop()


def days(n: int) -> date:
    return today() + timedelta(days=n)


async def test_an_overdue_invoice_is_held_when_issued_and_released_when_the_curing_payment_is_applied(
    platform: LedgerAndCredit,
) -> None:
    customer = await platform.customer(limit="10000.00")
    invoice = await platform.invoice(customer, "1000.00", due=days(-40))
    await platform.handled(customer, InvoiceIssued)
    assert await platform.view(customer) == held("past_due", "1000.00", 40)

    await platform.pay(customer, "1000.00", to=invoice)
    await platform.handled(customer, PaymentReceived)  # nothing unapplied: the invoice is still open
    assert await platform.view(customer) == held("past_due", "1000.00", 40)
    await platform.handled(customer, PaymentApplied)
    assert await platform.view(customer) == APPROVED


async def test_unapplying_the_payment_of_an_invoice_now_overdue_places_the_hold_at_once(
    platform: LedgerAndCredit,
) -> None:
    customer = await platform.customer(limit="10000.00")
    invoice = await platform.invoice(customer, "1000.00", due=days(1))
    await platform.handled(customer, InvoiceIssued)
    payment = await platform.pay(customer, "1000.00", to=invoice)
    await platform.handled(customer, PaymentReceived)
    await platform.handled(customer, PaymentApplied)
    CLOCK.advance(timedelta(days=40))  # the paid invoice is 39 days past its due date
    assert await platform.view(customer) == APPROVED

    await platform.post(
        f"/v1/applications/{payment['applications'][0]['id']}/unapply",
        {"effective_date": today().isoformat()},
    )
    await platform.handled(customer, PaymentUnapplied)
    assert await platform.view(customer) == held("past_due", "1000.00", 39)


async def test_a_reversed_payment_that_reopens_an_overdue_invoice_places_the_hold_at_once(
    platform: LedgerAndCredit,
) -> None:
    customer = await platform.customer(limit="10000.00")
    invoice = await platform.invoice(customer, "1000.00", due=days(1))
    await platform.handled(customer, InvoiceIssued)
    payment = await platform.pay(customer, "1000.00", to=invoice)
    await platform.handled(customer, PaymentReceived)
    await platform.handled(customer, PaymentApplied)
    CLOCK.advance(timedelta(days=40))
    assert await platform.view(customer) == APPROVED

    await platform.post(
        f"/v1/payments/{payment['id']}/reverse",
        {"reversed_on": today().isoformat(), "reason": "cheque bounced"},
    )
    await platform.handled(customer, PaymentReversed)
    assert await platform.view(customer) == held("past_due", "1000.00", 39)


async def test_writing_off_the_overdue_invoice_releases_the_hold_at_once(platform: LedgerAndCredit) -> None:
    customer = await platform.customer(limit="10000.00")
    invoice = await platform.invoice(customer, "1000.00", due=days(-40))
    await platform.handled(customer, InvoiceIssued)
    assert await platform.view(customer) == held("past_due", "1000.00", 40)

    await platform.post(
        "/v1/write-offs",
        {"invoice_id": invoice["id"], "amount": eur("1000.00"), "reason_code": "uncollectable",
         "effective_date": today().isoformat()},
    )  # fmt: skip
    await platform.handled(customer, InvoiceWrittenOff)
    assert await platform.view(customer) == APPROVED


async def test_voiding_the_overdue_invoice_releases_the_hold_at_once(platform: LedgerAndCredit) -> None:
    customer = await platform.customer(limit="10000.00")
    invoice = await platform.invoice(customer, "1000.00", due=days(-40))
    await platform.handled(customer, InvoiceIssued)
    assert await platform.view(customer) == held("past_due", "1000.00", 40)

    await platform.post(
        f"/v1/invoices/{invoice['id']}/void", {"voided_on": today().isoformat(), "reason": "twice"}
    )
    await platform.handled(customer, InvoiceVoided)
    assert await platform.view(customer) == APPROVED


async def test_a_credit_memo_against_the_overdue_invoice_releases_the_hold_when_applied(
    platform: LedgerAndCredit,
) -> None:
    customer = await platform.customer(limit="10000.00")
    invoice = await platform.invoice(customer, "1000.00", due=days(-40))
    await platform.handled(customer, InvoiceIssued)

    await platform.credit_memo(customer, "1000.00", against=invoice)
    await platform.handled(customer, CreditMemoIssued)  # a credit, not yet applied: still overdue
    assert await platform.view(customer) == held("past_due", "1000.00", 40)
    await platform.handled(customer, PaymentApplied)
    assert await platform.view(customer) == APPROVED


async def test_unapplied_cash_and_a_standalone_credit_memo_release_an_over_limit_hold_when_posted(
    platform: LedgerAndCredit,
) -> None:
    customer = await platform.customer(limit="1000.00")
    await platform.invoice(customer, "1500.00", due=days(30))
    await platform.handled(customer, InvoiceIssued)
    assert await platform.view(customer) == CreditView("held", ["over_limit"], "0.00", 0)

    await platform.pay(customer, "600.00", to=None)  # exposure 1,500 - 600 = 900
    await platform.handled(customer, PaymentReceived)
    assert await platform.view(customer) == APPROVED

    await platform.invoice(customer, "400.00", due=days(30))  # 1,300
    await platform.handled(customer, InvoiceIssued)
    assert await platform.view(customer) == CreditView("held", ["over_limit"], "0.00", 0)
    await platform.credit_memo(customer, "400.00", against=None)
    await platform.handled(customer, CreditMemoIssued)  # 900
    assert await platform.view(customer) == APPROVED


async def test_the_past_due_sweep_places_the_hold_when_the_account_passes_the_policy(
    platform: LedgerAndCredit,
) -> None:
    customer = await platform.customer(limit="10000.00")
    await platform.invoice(customer, "1000.00", due=days(-10))
    await platform.handled(customer, InvoiceIssued)
    assert await platform.view(customer) == CreditView("approved", [], "1000.00", 10)  # within 30 days

    # the sweep for a business date 25 days on: 35 days past due, judged on the sweep's date
    await platform.post("/v1/past-due-sweeps", {"as_of": days(25).isoformat()})
    await platform.handled(customer, AccountPastDue)
    # the check counts on the entity's business date, still today
    assert await platform.view(customer) == held("past_due", "1000.00", 10)


async def test_the_next_business_day_places_the_hold_when_the_account_ages_past_the_policy(
    platform: LedgerAndCredit,
) -> None:
    customer = await platform.customer(limit="10000.00", risk_class="medium")  # 45 days past due at most
    await platform.invoice(customer, "1000.00", due=days(-40))
    await platform.handled(customer, InvoiceIssued)
    await platform.set_business_date(customer, today())  # the entity's first close: the sweep speaks
    await platform.handled(customer, AccountPastDue)
    await platform.day_closed(customer, today())
    assert await platform.view(customer) == CreditView("approved", [], "1000.00", 40)

    # six business days on, still in the 31-60 bucket (the sweep says nothing): the days past due
    # grow with the business date, and credit judges the entity's customers on each new day
    await platform.set_business_date(customer, days(6))
    await platform.day_closed(customer, days(6))
    assert await platform.view(customer) == held("past_due", "1000.00", 46)


def test_every_ledger_event_credit_consumes_is_driven_by_a_test_here() -> None:
    driven = {
        CustomerUpserted, InvoiceIssued, InvoiceVoided, CreditMemoIssued, PaymentReceived, PaymentApplied,
        PaymentUnapplied, PaymentReversed, InvoiceWrittenOff, AccountPastDue, BusinessDateChanged,
    }  # fmt: skip
    consumed = {e for e in LedgerEvent.__subclasses__() if credit_handlers.get(e.event_type()) is not None}
    assert consumed == driven
