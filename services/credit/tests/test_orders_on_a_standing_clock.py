"""A blocked order judged again at the very instant it was decided (a clock standing still, as in a
simulation) is released like any other: its timestamps come back from the UPDATE, never lazily."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from ar_shared.clock import Clock
from ar_shared.events.ledger import CustomerUpserted, InvoiceIssued, PaymentReceived
from ar_shared.money import MoneyAmount
from ar_shared.testing.clock import pinned_clock

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> Clock:
    return pinned_clock()


async def test_an_order_released_at_the_instant_it_was_refused_is_answered_and_announced(
    client: httpx.AsyncClient, manager: dict[str, str], deliver: Any, clock: Clock
) -> None:
    today, customer_id = clock.now().date(), uuid.uuid4()
    euros = MoneyAmount(amount="600.00", currency="EUR")
    await deliver(
        CustomerUpserted(customer_id=customer_id, external_id="STILL", name="Still", currency="EUR",
                         payment_terms_days=30, business_entity=f"S{uuid.uuid4().hex[:6]}")
    )  # fmt: skip
    profile = {"credit_limit": {"amount": "1000.00", "currency": "EUR"}, "risk_class": "low", "reason": "t"}
    assert (
        await client.put(f"/v1/credit-profiles/{customer_id}", json=profile, headers=manager)
    ).status_code == 201
    await deliver(
        InvoiceIssued(invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="S",
                      invoice_number="S-1", issue_date=today, due_date=today + timedelta(days=30),
                      amount=euros)
    )  # fmt: skip
    order = {"order_reference": f"SO-{uuid.uuid4().hex[:8]}", "customer_id": str(customer_id),
             "amount": {"amount": "500.00", "currency": "EUR"}}  # fmt: skip
    assert (await client.post("/v1/credit-decisions", json=order, headers=manager)).json()[
        "status"
    ] == "refused"

    await deliver(
        PaymentReceived(payment_id=uuid.uuid4(), customer_id=customer_id, amount=euros, received_on=today,
                        unapplied=euros)
    )  # fmt: skip
    listed = await client.get(
        "/v1/credit-decisions", params={"customer_id": str(customer_id)}, headers=manager
    )
    [decision] = listed.json()["items"]
    assert (decision["status"], decision["updated_at"]) == ("approved", decision["created_at"])
