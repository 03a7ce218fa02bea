"""Credit policies: read and changed through the API (audited, announced, ETags), and the holds they
place: past the limit and its tolerance (over_limit), past the overdue amount in the customer's
currency (overdue_amount), none when automatic holds are off."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers
from ar_credit.exposure import service as exposure
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.holds.schemas import ManualHoldCreate
from ar_credit.holds.service import place_manual_hold
from ar_credit.models import plumbing
from ar_credit.policies.service import evaluate
from ar_shared.audit.log import SystemActor
from ar_shared.clock import Clock
from ar_shared.consumer import HandlerContext
from ar_shared.db import build_engine, build_sessionmaker
from ar_shared.events import CloudEvent, EventPayload
from ar_shared.events.ledger import CustomerUpserted, InvoiceIssued, PaymentReceived
from ar_shared.money import MoneyAmount
from ar_shared.outbox import OutboxWriter
from ar_shared.problems import Conflict
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration

HIGH = {  # the shipped high-risk policy
    "max_days_past_due": 30,
    "max_overdue_amounts": [{"amount": "5000.00", "currency": "EUR"}],
    "limit_tolerance_percent": "0.00",
    "auto_hold": True,
}


def money(amount: str, currency: str = "EUR") -> MoneyAmount:
    return MoneyAmount(amount=amount, currency=currency)


class Books:
    """A customer's ledger events, delivered to the credit handlers, and what credit then says."""

    def __init__(
        self, deliver: Any, client: httpx.AsyncClient, manager: dict[str, str], clock: Clock
    ) -> None:
        self.deliver, self.client, self.manager = deliver, client, manager
        self.today = clock.now().date()

    async def customer(self, currency: str = "EUR") -> uuid.UUID:
        customer_id = uuid.uuid4()
        await self.deliver(
            CustomerUpserted(
                customer_id=customer_id, external_id=f"P-{customer_id.hex[:8]}", name="Policy Test",
                currency=currency, payment_terms_days=30, business_entity=f"P{uuid.uuid4().hex[:6]}",
            )
        )  # fmt: skip
        return customer_id

    async def profile(self, customer_id: uuid.UUID, limit: str, risk_class: str) -> None:
        response = await self.client.put(
            f"/v1/credit-profiles/{customer_id}",
            json={
                "credit_limit": {"amount": limit, "currency": "EUR"},
                "risk_class": risk_class,
                "reason": "t",
            },
            headers=self.manager,
        )
        assert response.status_code in {200, 201}, response.text

    async def invoice(self, customer_id: uuid.UUID, amount: MoneyAmount, days_past_due: int = -10) -> None:
        due = self.today - timedelta(days=days_past_due)
        await self.deliver(
            InvoiceIssued(
                invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="P",
                invoice_number=f"I-{uuid.uuid4().hex[:6]}", issue_date=due - timedelta(days=30), due_date=due,
                amount=amount,
            )
        )  # fmt: skip

    async def unapplied_cash(self, customer_id: uuid.UUID, amount: MoneyAmount) -> None:
        await self.deliver(
            PaymentReceived(
                payment_id=uuid.uuid4(), customer_id=customer_id, amount=amount, received_on=self.today,
                unapplied=amount,
            )
        )  # fmt: skip

    async def policy_holds(self, customer_id: uuid.UUID) -> list[str]:
        response = await self.client.get(
            "/v1/holds", params={"customer_id": str(customer_id), "status": "active"}, headers=self.manager
        )
        return sorted(h["reason_code"] for h in response.json()["items"] if h["source"] == "policy")


@pytest.fixture
def books(deliver: Any, client: httpx.AsyncClient, manager: dict[str, str], clock: Clock) -> Books:
    return Books(deliver, client, manager, clock)


async def put_policy(
    client: httpx.AsyncClient, headers: dict[str, str], risk_class: str, **changes: Any
) -> httpx.Response:
    return await client.put(f"/v1/credit-policies/{risk_class}", json=HIGH | changes, headers=headers)


async def test_every_risk_class_has_a_readable_policy(
    client: httpx.AsyncClient, order_system: dict[str, str]
) -> None:
    listed = await client.get("/v1/credit-policies", headers=order_system)
    assert listed.status_code == 200, listed.text
    by_class = {p["risk_class"]: p for p in listed.json()}
    assert sorted(by_class) == ["high", "low", "medium", "very_high"]
    # the thresholds of the first release were currency-less; they now read per currency
    assert {"amount": "20000.00", "currency": "EUR"} in by_class["medium"]["max_overdue_amounts"]
    assert by_class["medium"]["limit_tolerance_percent"] == "5.00"
    one = await client.get("/v1/credit-policies/medium", headers=order_system)
    assert one.json() == by_class["medium"]
    assert one.headers["etag"] == f'W/"{by_class["medium"]["version"]}"'
    assert (await client.get("/v1/credit-policies/unheard_of", headers=order_system)).status_code == 422


async def test_exposure_past_the_limit_and_its_tolerance_places_an_over_limit_hold(books: Books) -> None:
    customer_id = await books.customer()
    await books.profile(customer_id, "1000.00", "low")  # low: 10 % tolerance
    await books.invoice(customer_id, money("1100.00"))  # exactly limit + 10 %: within
    assert await books.policy_holds(customer_id) == []
    await books.invoice(customer_id, money("0.01"))
    assert await books.policy_holds(customer_id) == ["over_limit"]
    await books.unapplied_cash(customer_id, money("0.01"))  # back to 1,100.00
    assert await books.policy_holds(customer_id) == []


async def test_an_overdue_amount_past_the_threshold_of_its_currency_places_an_overdue_amount_hold(
    books: Books,
) -> None:
    customer_id = await books.customer()  # no profile: the medium policy, 20,000.00 EUR overdue at most
    await books.invoice(customer_id, money("20000.00"), days_past_due=5)
    assert await books.policy_holds(customer_id) == []
    await books.invoice(customer_id, money("0.01"), days_past_due=1)
    assert await books.policy_holds(customer_id) == ["overdue_amount"]
    await books.invoice(customer_id, money("5000.00"), days_past_due=0)  # due today: not overdue
    assert await books.policy_holds(customer_id) == ["overdue_amount"]


async def test_changing_a_policy_judges_its_customers_at_once_audited_and_announced(
    books: Books, client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = await books.customer()
    await books.profile(customer_id, "9000.00", "high")
    await books.invoice(customer_id, money("3000.00"), days_past_due=10)
    assert await books.policy_holds(customer_id) == []

    stricter = await put_policy(
        client, manager, "high", max_overdue_amounts=[{"amount": "2000.00", "currency": "EUR"}]
    )
    assert stricter.status_code == 200, stricter.text
    body = stricter.json()
    assert body["max_overdue_amounts"] == [{"amount": "2000.00", "currency": "EUR"}]
    assert body["customers_reevaluated"] >= 1
    assert stricter.headers["etag"] == f'W/"{body["version"]}"'
    assert await books.policy_holds(customer_id) == ["overdue_amount"]

    off = await put_policy(
        client,
        manager,
        "high",
        max_overdue_amounts=[{"amount": "2000.00", "currency": "EUR"}],
        auto_hold=False,
    )
    assert off.status_code == 200, off.text
    assert await books.policy_holds(customer_id) == []
    check = await client.get(
        "/v1/credit-check", params={"customer_id": str(customer_id), "amount": "1.00", "currency": "EUR"},
        headers=manager,
    )  # fmt: skip
    assert check.json()["decision"] == "approved"

    async with credit_app.state.sessionmaker() as session:
        o, a = plumbing.outbox, plumbing.audit_log
        events = (
            await session.execute(select(o.c.envelope).where(o.c.message_key == "high").order_by(o.c.id))
        ).all()
        audits = (await session.execute(select(a.c.action, a.c.actor).where(a.c.entity_id == "high"))).all()
        released = (
            await session.execute(
                select(a.c.after).where(a.c.action == "credit_hold.released", a.c.actor == "credit-policy")
            )
        ).all()
    assert [e.envelope["data"]["auto_hold"] for e in events] == [True, False]
    assert events[-1].envelope["type"] == "ar.credit.CreditPolicyChanged.v1"
    assert [tuple(r) for r in audits] == [("credit_policy.set", "credit-manager")] * 2
    assert any(r.after["release_reason"] == "automatic holds are off for risk class high" for r in released)

    same = await put_policy(
        client,
        manager,
        "high",
        max_overdue_amounts=[{"amount": "2000.00", "currency": "EUR"}],
        auto_hold=False,
    )
    assert (same.json()["version"], same.json()["customers_reevaluated"]) == (off.json()["version"], 0)


async def test_a_currency_without_a_threshold_holds_no_one_for_its_overdue_amount(
    books: Books, client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    assert (await put_policy(client, manager, "medium", max_days_past_due=365)).status_code == 200  # EUR only
    customer_id = await books.customer(currency="CHF")  # no profile: medium
    await books.invoice(customer_id, money("900000.00", "CHF"), days_past_due=3)
    assert await books.policy_holds(customer_id) == []


async def test_a_bad_policy_is_refused_field_by_field(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    response = await put_policy(
        client, manager, "high", max_days_past_due=-1, limit_tolerance_percent="5.123",
        max_overdue_amounts=[{"amount": "1.00", "currency": "EUR"}, {"amount": "2.00", "currency": "EUR"}],
    )  # fmt: skip
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "max_days_past_due", "limit_tolerance_percent", "max_overdue_amounts",
    }  # fmt: skip
    too_much = await put_policy(client, manager, "high", limit_tolerance_percent="1000.01")
    assert [e["field"] for e in too_much.json()["errors"]] == ["limit_tolerance_percent"]


async def test_only_a_credit_manager_changes_a_policy_and_never_over_another_change(
    client: httpx.AsyncClient, manager: dict[str, str], credit_settings: CreditSettings, clock: Clock
) -> None:
    checker = bearer(credit_settings.auth, "credit:check", subject="sales-ops", clock=clock)
    assert (await put_policy(client, checker, "high")).status_code == 403
    etag = (await client.get("/v1/credit-policies/high", headers=manager)).headers["etag"]
    assert (await put_policy(client, manager, "high", max_days_past_due=31)).status_code == 200
    stale = await client.put("/v1/credit-policies/high", json=HIGH, headers=manager | {"If-Match": etag})
    assert (stale.status_code, stale.json()["code"]) == (412, "etag_mismatch")


async def test_evaluations_of_one_customer_at_the_same_moment_place_one_hold_and_fail_none(
    credit_settings: CreditSettings, credit_schema: None, clock: Clock
) -> None:
    """The worker (an event) and the API (a profile PUT) may judge one customer at once, each on its
    own connection: the first places the hold, the others wait and see it (the fuzzer found a 500
    on the unique index of active holds)."""
    engine = build_engine(credit_settings)
    sessions = build_sessionmaker(engine, clock)
    customer_id, today = uuid.uuid4(), clock.now().date()
    overdue = today - timedelta(days=200)  # past every policy's days past due
    events: list[EventPayload] = [
        CustomerUpserted(
            customer_id=customer_id, external_id=f"R-{customer_id.hex[:8]}", name="Race Test",
            currency="EUR", payment_terms_days=30, business_entity=f"R{uuid.uuid4().hex[:6]}",
        ),
        InvoiceIssued(
            invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="R", invoice_number="R-1",
            issue_date=overdue - timedelta(days=30), due_date=overdue, amount=money("10.00"),
        ),
    ]  # fmt: skip
    try:
        async with sessions() as session:  # the customer arrives (nothing to judge yet)
            upserted = events[0]
            context = HandlerContext(session, CloudEvent.wrap(upserted), OutboxWriter(plumbing), clock)
            registration = handlers.get(upserted.event_type())
            assert registration is not None
            await registration.handler(context, upserted)
            await session.commit()
        async with sessions() as session:  # an overdue invoice, committed without the policy's run
            issued = events[1]
            assert isinstance(issued, InvoiceIssued)
            await exposure.invoice_issued(
                session, invoice_id=issued.invoice_id, customer_id=customer_id, invoice_number="R-1",
                amount=issued.amount, due_date=issued.due_date, order_reference=None,
            )  # fmt: skip
            await session.commit()

        async def judge() -> list[str]:
            async with sessions() as session:
                breaches = await evaluate(session, customer_id, credit_settings.rules)
                await session.commit()
                return breaches

        assert await asyncio.gather(*(judge() for _ in range(6))) == [["past_due"]] * 6

        async def hold_by_hand() -> str:
            data = ManualHoldCreate(customer_id=customer_id, reason_code="fraud_suspected", note=None)
            async with sessions() as session:
                try:
                    await place_manual_hold(session, SystemActor("credit-manager"), data)
                except Conflict as already:
                    return already.code
                await session.commit()
                return "placed"

        assert sorted(await asyncio.gather(*(hold_by_hand() for _ in range(4)))) == [
            "hold_already_active", "hold_already_active", "hold_already_active", "placed",
        ]  # fmt: skip
        async with sessions() as session:
            holds = await CreditHoldRepository(session).active_for_customer(customer_id, lock=False)
        assert sorted((h.source, h.reason_code) for h in holds) == [
            ("manual", "fraud_suspected"), ("policy", "past_due"),
        ]  # fmt: skip
    finally:
        await engine.dispose()
