"""The order credit check and credit decisions, on exposure built by the real event handlers."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_credit.check.schemas import CreditCheck
from ar_credit.consumers import handlers
from ar_credit.models import plumbing
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent, EventPayload
from ar_shared.events.ledger import BusinessDateChanged, CustomerUpserted, InvoiceIssued, PaymentReceived
from ar_shared.money import MoneyAmount
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration

TODAY = TEST_CLOCK.now().date()


def eur(amount: str) -> MoneyAmount:
    return MoneyAmount(amount=amount, currency="EUR")


async def deliver(app: FastAPI, *events: EventPayload) -> None:
    """Runs the credit service's own handlers, as the consumer would, one transaction each."""
    for payload in events:
        registration = handlers.get(payload.event_type())
        assert registration is not None
        async with app.state.sessionmaker() as session:
            context = HandlerContext(
                session, CloudEvent.wrap(payload), OutboxWriter(plumbing), app.state.clock
            )
            await registration.handler(context, payload)
            await session.commit()


async def customer_with_ar(
    app: FastAPI, open_ar: str = "0", unapplied: str = "0", business_entity: str = "DE01"
) -> uuid.UUID:
    customer_id = uuid.uuid4()
    events: list[EventPayload] = [
        CustomerUpserted(
            customer_id=customer_id, external_id=f"K-{customer_id.hex[:6]}", name="Initrode", currency="EUR",
            payment_terms_days=30, business_entity=business_entity, sales_rep="rep@example.com",
        )
    ]  # fmt: skip
    if open_ar != "0":
        events.append(
            InvoiceIssued(
                invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="DE01",
                invoice_number="I-1",
                issue_date=TODAY, due_date=TODAY + timedelta(days=30), amount=eur(open_ar),
            )
        )  # fmt: skip
    if unapplied != "0":
        events.append(
            PaymentReceived(
                payment_id=uuid.uuid4(), customer_id=customer_id, amount=eur(unapplied), received_on=TODAY,
                unapplied=eur(unapplied),
            )
        )  # fmt: skip
    await deliver(app, *events)
    return customer_id


async def set_limit(
    client: httpx.AsyncClient, manager: dict[str, str], customer_id: uuid.UUID, limit: str
) -> None:
    response = await client.put(
        f"/v1/credit-profiles/{customer_id}",
        json={"credit_limit": {"amount": limit, "currency": "EUR"}, "risk_class": "low", "reason": "test"},
        headers=manager,
    )
    assert response.status_code in {200, 201}, response.text


async def check(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    customer_id: uuid.UUID,
    amount: str,
    currency: str = "EUR",
) -> httpx.Response:
    return await client.get(
        "/v1/credit-check",
        params={"customer_id": str(customer_id), "amount": amount, "currency": currency},
        headers=headers,
    )


async def test_check_answers_each_decision_with_exposure_parts(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], order_system: dict[str, str]
) -> None:
    customer_id = await customer_with_ar(credit_app, open_ar="6000.00", unapplied="1000.00")
    await set_limit(client, manager, customer_id, "10000.00")  # exposure 5,000: available 5,000

    exact = await check(client, order_system, customer_id, "5000.00")
    assert exact.status_code == 200
    body: dict[str, Any] = exact.json()
    assert body["decision"] == "approved"  # reaching the limit exactly is approved
    assert body["available_credit"] == {"amount": "5000.00", "currency": "EUR"}
    assert body["exposure"]["open_ar"]["amount"] == "6000.00"
    assert body["exposure"]["unapplied_cash"]["amount"] == "1000.00"
    assert body["exposure"]["total"]["amount"] == "5000.00"

    over = (await check(client, order_system, customer_id, "5000.01")).json()
    assert over["decision"] == "over_limit"
    assert over["reason_codes"] == ["exceeds_available_credit"]

    await client.post(
        "/v1/holds", json={"customer_id": str(customer_id), "reason_code": "fraud_suspected"}, headers=manager
    )
    held = (await check(client, order_system, customer_id, "1.00")).json()
    assert held["decision"] == "held"
    assert [h["reason_code"] for h in held["holds"]] == ["fraud_suspected"]


async def test_check_answers_match_the_documented_schema(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], order_system: dict[str, str]
) -> None:
    # the endpoint assembles its answer without validators (hot path): every field a client
    # reads must still pass the published model, for each decision and with holds
    no_limit = await customer_with_ar(credit_app, open_ar="100.00")
    with_limit = await customer_with_ar(credit_app, open_ar="6000.00", unapplied="1000.00")
    await set_limit(client, manager, with_limit, "10000.00")
    await client.post(
        "/v1/holds", json={"customer_id": str(no_limit), "reason_code": "fraud_suspected"}, headers=manager
    )
    for customer_id, amount, decision in [
        (with_limit, "10.00", "approved"),
        (with_limit, "9000.00", "over_limit"),
        (no_limit, "1.00", "held"),
    ]:
        response = await check(client, order_system, customer_id, amount)
        assert response.headers["content-type"] == "application/json"
        answer = CreditCheck.model_validate_json(response.text)
        assert answer.decision == decision
        assert answer.model_dump(mode="json") == response.json()
    held = CreditCheck.model_validate_json((await check(client, order_system, no_limit, "1.00")).text)
    assert held.credit_limit is None
    assert held.reason_codes == ["credit_hold", "fraud_suspected", "no_credit_limit"]
    assert [(h.source, h.reason_code) for h in held.holds] == [("manual", "fraud_suspected")]
    assert held.holds[0].placed_at.tzinfo is not None


async def test_decisions_are_idempotent_per_order_and_approved_orders_count_as_exposure(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], order_system: dict[str, str]
) -> None:
    customer_id = await customer_with_ar(credit_app)
    await set_limit(client, manager, customer_id, "1000.00")
    order = {
        "order_reference": f"SO-{customer_id.hex[:6]}",
        "customer_id": str(customer_id),
        "amount": {"amount": "700.00", "currency": "EUR"},
    }
    first = await client.post("/v1/credit-decisions", json=order, headers=order_system)
    again = await client.post("/v1/credit-decisions", json=order, headers=order_system)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["decision"] == first.json()["decision"] == "approved"
    after = (await check(client, order_system, customer_id, "300.00")).json()
    assert after["exposure"]["open_orders"]["amount"] == "700.00"  # counted once
    assert after["decision"] == "approved"
    reused = await client.post(
        "/v1/credit-decisions",
        json=order | {"amount": {"amount": "1.00", "currency": "EUR"}},
        headers=order_system,
    )
    assert reused.status_code == 409
    assert reused.json()["code"] == "order_reference_reused"

    second = {
        "order_reference": f"SO2-{customer_id.hex[:6]}",
        "customer_id": str(customer_id),
        "amount": {"amount": "400.00", "currency": "EUR"},
    }
    refused = (await client.post("/v1/credit-decisions", json=second, headers=order_system)).json()
    assert refused["decision"] == "over_limit"
    assert refused["status"] == "refused"
    cannot = await client.post(
        f"/v1/credit-decisions/{second['order_reference']}/release",
        json={"reason": "x"},
        headers=order_system,
    )
    assert cannot.status_code == 403
    released = await client.post(
        f"/v1/credit-decisions/{second['order_reference']}/release",
        json={"reason": "CFO approved"},
        headers=manager,
    )
    assert released.json()["status"] == "released"
    assert released.json()["override_by"] == "credit-manager"
    cancelled = await client.post(
        f"/v1/credit-decisions/{order['order_reference']}/cancel", headers=order_system
    )
    assert cancelled.json()["status"] == "cancelled"
    final = (await check(client, order_system, customer_id, "1.00")).json()
    assert final["exposure"]["open_orders"]["amount"] == "400.00"


async def test_bad_checks_are_problems(
    client: httpx.AsyncClient, credit_app: FastAPI, order_system: dict[str, str]
) -> None:
    customer_id = await customer_with_ar(credit_app)
    unknown = await check(client, order_system, uuid.uuid4(), "10.00")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "customer_not_found")
    wrong_currency = await check(client, order_system, customer_id, "10.00", currency="USD")
    assert (wrong_currency.status_code, wrong_currency.json()["code"]) == (422, "currency_mismatch")
    zero = await check(client, order_system, customer_id, "0")
    assert (zero.status_code, zero.json()["code"]) == (422, "amount_not_positive")
    negative = await check(client, order_system, customer_id, "-5")
    assert negative.status_code == 422
    no_profile = (await check(client, order_system, customer_id, "10.00")).json()
    assert no_profile["decision"] == "over_limit"
    assert "no_credit_limit" in no_profile["reason_codes"]


async def test_profile_changes_are_recorded_and_emit_limit_changed(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], order_system: dict[str, str]
) -> None:
    customer_id = await customer_with_ar(credit_app)
    await set_limit(client, manager, customer_id, "1000.00")
    await set_limit(client, manager, customer_id, "2500.00")
    profile = (await client.get(f"/v1/credit-profiles/{customer_id}", headers=order_system)).json()
    assert profile["credit_limit"] == {"amount": "2500.00", "currency": "EUR"}
    assert profile["version"] == 2
    assert profile["updated_by"] == "credit-manager"
    wrong = await client.put(
        f"/v1/credit-profiles/{customer_id}",
        json={"credit_limit": {"amount": "1.00", "currency": "USD"}, "risk_class": "low", "reason": "x"},
        headers=manager,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "currency_mismatch")
    o = plumbing.outbox
    async with credit_app.state.sessionmaker() as session:
        types = (
            await session.scalars(select(o.c.event_type).where(o.c.message_key == str(customer_id)))
        ).all()
    assert list(types).count("ar.credit.CreditLimitChanged.v1") == 2


async def test_the_next_business_day_holds_the_entitys_customers_who_aged_past_their_policy(
    credit_app: FastAPI, client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    entity = f"E{uuid.uuid4().hex[:8]}"
    customer_id = await customer_with_ar(credit_app, business_entity=entity)
    await set_limit(client, manager, customer_id, "5000.00")  # risk class low: 60 days allowed
    await deliver(
        credit_app,
        InvoiceIssued(
            invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="DE01", invoice_number="OLD-1",
            issue_date=TODAY - timedelta(days=120), due_date=TODAY - timedelta(days=60), amount=eur("10.00"),
        ),
    )  # fmt: skip
    assert (await check(client, manager, customer_id, "1.00")).json()[
        "decision"
    ] == "approved"  # 60 days: allowed
    tomorrow = TODAY + timedelta(days=1)
    await deliver(
        credit_app,
        BusinessDateChanged(
            business_entity=entity,
            previous_date=TODAY,
            business_date=tomorrow,
            mode="manual",
            time_zone="UTC",
        ),
    )
    held = (await check(client, manager, customer_id, "1.00")).json()
    assert (held["decision"], held["business_date"]) == ("held", tomorrow.isoformat())
    assert [h["reason_code"] for h in held["holds"]] == ["past_due"]
    assert held["exposure"]["oldest_days_past_due"] == 61


async def test_a_large_increase_waits_for_a_second_manager(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], credit_settings: Any
) -> None:
    customer_id = await customer_with_ar(credit_app)
    await set_limit(client, manager, customer_id, "5000.00")
    body = {
        "credit_limit": {"amount": "50000.00", "currency": "EUR"},
        "risk_class": "low",
        "reason": "New contract",
    }
    pending = await client.put(f"/v1/credit-profiles/{customer_id}", json=body, headers=manager)
    assert pending.status_code == 202
    request = pending.json()
    assert request["status"] == "pending"
    assert request["current_limit"] == {"amount": "5000.00", "currency": "EUR"}
    unchanged = (await client.get(f"/v1/credit-profiles/{customer_id}", headers=manager)).json()
    assert unchanged["credit_limit"]["amount"] == "5000.00"

    own = await client.post(f"/v1/credit-limit-requests/{request['id']}/approve", json={}, headers=manager)
    assert (own.status_code, own.json()["code"]) == (403, "own_request")

    second = bearer(credit_settings.auth, "credit:manage", "credit:check", subject="head-of-credit")
    listed = (await client.get("/v1/credit-limit-requests", headers=second)).json()
    assert request["id"] in [r["id"] for r in listed]
    approved = await client.post(
        f"/v1/credit-limit-requests/{request['id']}/approve", json={"note": "Checked"}, headers=second
    )
    assert approved.status_code == 200
    assert approved.json()["decided_by"] == "head-of-credit"
    profile = (await client.get(f"/v1/credit-profiles/{customer_id}", headers=manager)).json()
    assert profile["credit_limit"]["amount"] == "50000.00"
    assert profile["updated_by"] == "credit-manager"  # the requester; the approver is in the event
    again = await client.post(f"/v1/credit-limit-requests/{request['id']}/reject", json={}, headers=second)
    assert (again.status_code, again.json()["code"]) == (409, "request_not_pending")
    o = plumbing.outbox
    async with credit_app.state.sessionmaker() as session:
        envelopes = (
            await session.scalars(
                select(o.c.envelope).where(
                    o.c.message_key == str(customer_id), o.c.event_type == "ar.credit.CreditLimitChanged.v1"
                )
            )
        ).all()
    assert envelopes[-1]["data"]["approved_by"] == "head-of-credit"
    assert envelopes[-1]["data"]["new_limit"] == {"amount": "50000.00", "currency": "EUR"}


async def test_an_invoice_for_an_approved_order_moves_it_from_open_orders_to_ar(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], order_system: dict[str, str]
) -> None:
    customer_id = await customer_with_ar(credit_app)
    await set_limit(client, manager, customer_id, "5000.00")
    order = {
        "order_reference": f"SO-{customer_id.hex[:8]}",
        "customer_id": str(customer_id),
        "amount": {"amount": "300.00", "currency": "EUR"},
    }
    assert (await client.post("/v1/credit-decisions", json=order, headers=order_system)).json()[
        "status"
    ] == "approved"
    await deliver(
        credit_app,
        InvoiceIssued(
            invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="DE01", invoice_number="SO-INV",
            issue_date=TODAY, due_date=TODAY + timedelta(days=30), amount=eur("310.00"),
            order_reference=order["order_reference"],
        ),
    )  # fmt: skip
    exposure = (await check(client, order_system, customer_id, "1.00")).json()["exposure"]
    assert exposure["open_orders"]["amount"] == "0.00"
    assert exposure["open_ar"]["amount"] == "310.00"


async def test_disputed_amounts_count_in_or_out_of_exposure_by_setting(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], credit_settings: Any
) -> None:
    from ar_shared.events.collections import DisputeOpened, DisputeResolved

    customer_id = await customer_with_ar(credit_app, open_ar="1000.00")
    invoice_id, dispute_id = uuid.uuid4(), uuid.uuid4()
    opened = DisputeOpened(
        dispute_id=dispute_id, customer_id=customer_id, invoice_id=invoice_id, disputed_amount=eur("200.00"),
        reason_code="pricing",
    )  # fmt: skip
    await deliver(credit_app, opened, opened)  # a replay changes nothing
    counted = (await check(client, manager, customer_id, "1.00")).json()["exposure"]
    assert (counted["disputed"]["amount"], counted["total"]["amount"]) == ("200.00", "1000.00")

    credit_app.state.settings = credit_settings.model_copy(update={"include_disputed_in_exposure": False})
    try:
        without = (await check(client, manager, customer_id, "1.00")).json()["exposure"]
    finally:
        credit_app.state.settings = credit_settings
    assert without["total"]["amount"] == "800.00"

    await deliver(
        credit_app,
        DisputeResolved(
            dispute_id=dispute_id, customer_id=customer_id, invoice_id=invoice_id,
            resolution="customer_wrong",
            disputed_amount=eur("200.00"),
        ),
    )  # fmt: skip
    resolved = (await check(client, manager, customer_id, "1.00")).json()["exposure"]
    assert resolved["disputed"]["amount"] == "0.00"
