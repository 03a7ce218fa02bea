"""A dunning step's hold recommendation (CreditHoldRecommended from collections): credit places
one hold of source `collections` that the credit check reports; the policy never releases it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from ar_shared.events import EventPayload
from ar_shared.events.collections import CreditHoldRecommended
from ar_shared.events.ledger import CustomerUpserted

pytestmark = pytest.mark.integration
Deliver = Callable[..., Awaitable[None]]


def recommendation(customer_id: uuid.UUID) -> CreditHoldRecommended:
    return CreditHoldRecommended(
        recommendation_id=uuid.uuid4(),
        customer_id=customer_id,
        days_past_due=45,
        recommended_by="strategy:standard@1",
    )


async def customer(deliver: Deliver) -> uuid.UUID:
    customer_id = uuid.uuid4()
    event: EventPayload = CustomerUpserted(
        customer_id=customer_id, external_id=f"K-{customer_id.hex[:6]}", name="Initrode", currency="EUR",
        payment_terms_days=30, business_entity="DE01",
    )  # fmt: skip
    await deliver(event)
    return customer_id


async def decision(
    client: httpx.AsyncClient, headers: dict[str, str], customer_id: uuid.UUID
) -> dict[str, object]:
    response = await client.get(
        "/v1/credit-check",
        params={"customer_id": str(customer_id), "amount": "1.00", "currency": "EUR"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_recommended_hold_is_placed_once_and_the_check_reports_it(
    client: httpx.AsyncClient, deliver: Deliver, manager: dict[str, str], order_system: dict[str, str]
) -> None:
    customer_id = await customer(deliver)
    limit = {"credit_limit": {"amount": "10000.00", "currency": "EUR"}, "risk_class": "low", "reason": "test"}
    assert (
        await client.put(f"/v1/credit-profiles/{customer_id}", json=limit, headers=manager)
    ).status_code in {200, 201}
    assert (await decision(client, order_system, customer_id))["decision"] == "approved"

    await deliver(recommendation(customer_id), recommendation(customer_id))

    held = await decision(client, order_system, customer_id)
    assert held["decision"] == "held"
    assert [(h["source"], h["reason_code"]) for h in held["holds"]] == [  # type: ignore[attr-defined]
        ("collections", "collections_recommendation")
    ]
    listed = await client.get("/v1/holds", params={"customer_id": str(customer_id)}, headers=manager)
    [hold] = listed.json()["items"]
    assert (hold["placed_by"], hold["status"]) == ("collections", "active")
    assert "strategy:standard@1 at 45 days past due" in hold["note"]


async def test_a_recommendation_for_a_customer_credit_does_not_know_yet_is_retried(deliver: Deliver) -> None:
    with pytest.raises(LookupError):
        await deliver(recommendation(uuid.uuid4()))
