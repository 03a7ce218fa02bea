"""Every change of a customer's risk class in credit is announced (`CreditRiskClassChanged`, in
the outbox with the change): set directly, approved with a limit request, or not at all when
the change is refused or leaves the class as it was."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers
from ar_credit.models import plumbing
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration


async def customer_with_ar(app: FastAPI, customer_id: uuid.UUID | None = None) -> uuid.UUID:
    """A customer as the ledger announces it, through credit's own handler."""
    customer_id = customer_id or uuid.uuid4()
    payload = CustomerUpserted(
        customer_id=customer_id, external_id=f"K-{customer_id.hex[:6]}", name="Initrode", currency="EUR",
        payment_terms_days=30, business_entity="DE01",
    )  # fmt: skip
    async with app.state.sessionmaker() as session:
        context = HandlerContext(session, CloudEvent.wrap(payload), OutboxWriter(plumbing), app.state.clock)
        await handlers.handle(context, payload)
        await session.commit()
    return customer_id


async def announced(app: FastAPI, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    o = plumbing.outbox
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(o.c.envelope)
            .where(
                o.c.message_key == str(customer_id), o.c.event_type == "ar.credit.CreditRiskClassChanged.v1"
            )
            .order_by(o.c.id)
        )
        return [dict(r["data"]) for r in rows]


def profile(limit: str, risk_class: str, reason: str = "test") -> dict[str, Any]:
    return {"credit_limit": {"amount": limit, "currency": "EUR"}, "risk_class": risk_class, "reason": reason}


async def test_each_new_risk_class_of_a_profile_is_announced_once_with_its_version(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = await customer_with_ar(credit_app)
    path = f"/v1/credit-profiles/{customer_id}"
    assert (await client.put(path, json=profile("1000.00", "low"), headers=manager)).status_code == 201
    assert (await client.put(path, json=profile("1500.00", "low"), headers=manager)).status_code == 200
    assert (
        await client.put(path, json=profile("1500.00", "high", "late payer"), headers=manager)
    ).status_code == 200
    events = await announced(credit_app, customer_id)
    assert [
        (e["previous_risk_class"], e["risk_class"], e["profile_version"], e["changed_by"], e["reason"])
        for e in events
    ] == [(None, "low", 1, "credit-manager", "test"), ("low", "high", 3, "credit-manager", "late payer")]


async def test_a_refused_profile_announces_nothing(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = await customer_with_ar(credit_app)
    path = f"/v1/credit-profiles/{customer_id}"
    wrong_currency = await client.put(
        path,
        json=profile("1.00", "high") | {"credit_limit": {"amount": "1.00", "currency": "USD"}},
        headers=manager,
    )
    assert (wrong_currency.status_code, wrong_currency.json()["code"]) == (422, "currency_mismatch")
    unknown_class = await client.put(path, json=profile("1.00", "dreadful"), headers=manager)
    assert unknown_class.status_code == 422
    assert "risk_class" in str(unknown_class.json()["errors"])
    assert await announced(credit_app, customer_id) == []


async def test_a_class_that_comes_with_a_large_increase_is_announced_when_approved(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], credit_settings: CreditSettings
) -> None:
    customer_id = await customer_with_ar(credit_app)
    path = f"/v1/credit-profiles/{customer_id}"
    assert (await client.put(path, json=profile("5000.00", "medium"), headers=manager)).status_code == 201
    pending = await client.put(path, json=profile("50000.00", "low", "new contract"), headers=manager)
    assert pending.status_code == 202
    assert [e["risk_class"] for e in await announced(credit_app, customer_id)] == ["medium"]

    second = bearer(credit_settings.auth, "credit:manage", "credit:check", subject="head-of-credit")
    approved = await client.post(
        f"/v1/credit-limit-requests/{pending.json()['id']}/approve", json={}, headers=second
    )
    assert approved.status_code == 200
    *_, last = await announced(credit_app, customer_id)
    assert (last["previous_risk_class"], last["risk_class"], last["profile_version"]) == ("medium", "low", 2)
    assert (last["changed_by"], last["approved_by"]) == ("credit-manager", "head-of-credit")


async def test_a_profile_filed_before_the_customer_announces_its_class_when_it_attaches(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = uuid.uuid4()
    waiting = await client.put(
        f"/v1/credit-profiles/{customer_id}", json=profile("800.00", "high", "filed early"), headers=manager
    )
    assert waiting.status_code == 202, waiting.text
    assert await announced(credit_app, customer_id) == []
    await customer_with_ar(credit_app, customer_id)
    [attached] = await announced(credit_app, customer_id)
    assert (attached["previous_risk_class"], attached["risk_class"], attached["profile_version"]) == (
        None,
        "high",
        1,
    )
    assert (attached["changed_by"], attached["reason"]) == ("credit-manager", "filed early")
