"""Credit profiles set before the customer arrives over Kafka: kept under the ledger's id or the ERP's
id, and attached (applied, or filed as a limit request) when CustomerUpserted arrives."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from ar_shared.events.ledger import CustomerUpserted

pytestmark = pytest.mark.integration


def profile(amount: str, currency: str = "EUR", risk_class: str = "high") -> dict[str, Any]:
    return {"credit_limit": {"amount": amount, "currency": currency}, "risk_class": risk_class,
            "reason": "signed up in the CRM"}  # fmt: skip


def arrival(customer_id: uuid.UUID, external_id: str, currency: str = "EUR") -> CustomerUpserted:
    return CustomerUpserted(
        customer_id=customer_id, external_id=external_id, name="Newcomer", currency=currency,
        payment_terms_days=30, business_entity="DE01",
    )  # fmt: skip


async def pending(
    client: httpx.AsyncClient, headers: dict[str, str], status: str
) -> dict[str, dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params: dict[str, str | int] = {"status": status, "limit": 500}
        params |= {"cursor": cursor} if cursor else {}
        page = (await client.get("/v1/pending-credit-profiles", params=params, headers=headers)).json()
        items |= {p["id"]: p for p in page["items"]}
        if (cursor := page["next_cursor"]) is None:
            return items


async def test_a_profile_by_ledger_id_waits_for_the_customer_and_is_applied_when_it_arrives(
    client: httpx.AsyncClient, manager: dict[str, str], deliver: Any
) -> None:
    customer_id = uuid.uuid4()
    waiting = await client.put(f"/v1/credit-profiles/{customer_id}", json=profile("2000.00"), headers=manager)
    assert waiting.status_code == 202, waiting.text
    expected = {"status": "pending", "customer_id": str(customer_id), "external_id": None,
                "requested_by": "credit-manager"}  # fmt: skip
    assert waiting.json() == waiting.json() | expected
    assert (await client.get(f"/v1/credit-profiles/{customer_id}", headers=manager)).status_code == 404

    await deliver(arrival(customer_id, f"N-{customer_id.hex[:8]}"))
    applied = await client.get(f"/v1/credit-profiles/{customer_id}", headers=manager)
    assert applied.status_code == 200, applied.text
    assert applied.json() == applied.json() | {
        "credit_limit": {"amount": "2000.00", "currency": "EUR"}, "risk_class": "high",
        "updated_by": "credit-manager",
    }  # fmt: skip
    attached = (await pending(client, manager, "attached"))[waiting.json()["id"]]
    assert (attached["outcome"], attached["attached_to"]) == ("applied", str(customer_id))


async def test_a_profile_by_erp_id_waits_for_the_customer_and_a_later_one_replaces_it(
    client: httpx.AsyncClient, manager: dict[str, str], deliver: Any
) -> None:
    external_id = f"ERP-{uuid.uuid4().hex[:8]}"
    first = await client.put(
        f"/v1/credit-profiles/external/{external_id}", json=profile("1000.00"), headers=manager
    )
    second = await client.put(
        f"/v1/credit-profiles/external/{external_id}", json=profile("1500.00"), headers=manager
    )
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["id"] in await pending(client, manager, "refused")  # replaced

    customer_id = uuid.uuid4()
    await deliver(arrival(customer_id, external_id))
    applied = (await client.get(f"/v1/credit-profiles/{customer_id}", headers=manager)).json()
    assert applied["credit_limit"] == {"amount": "1500.00", "currency": "EUR"}

    # the customer is known now: by its ERP id the profile is set at once
    again = await client.put(
        f"/v1/credit-profiles/external/{external_id}", json=profile("1600.00"), headers=manager
    )
    assert again.status_code == 200, again.text
    assert again.json()["credit_limit"] == {"amount": "1600.00", "currency": "EUR"}


async def test_a_waiting_profile_in_another_currency_is_refused_with_the_reason(
    client: httpx.AsyncClient, manager: dict[str, str], deliver: Any
) -> None:
    customer_id = uuid.uuid4()
    waiting = await client.put(
        f"/v1/credit-profiles/{customer_id}", json=profile("1000.00", "USD"), headers=manager
    )
    await deliver(arrival(customer_id, f"N-{customer_id.hex[:8]}", currency="EUR"))
    refused = (await pending(client, manager, "refused"))[waiting.json()["id"]]
    assert refused["outcome"] == "the customer is billed in EUR, not USD"
    assert (await client.get(f"/v1/credit-profiles/{customer_id}", headers=manager)).status_code == 404


async def test_a_waiting_limit_above_the_threshold_becomes_a_limit_request_on_arrival(
    client: httpx.AsyncClient, manager: dict[str, str], deliver: Any
) -> None:
    customer_id = uuid.uuid4()
    waiting = await client.put(
        f"/v1/credit-profiles/{customer_id}", json=profile("250000.00"), headers=manager
    )
    await deliver(arrival(customer_id, f"N-{customer_id.hex[:8]}"))
    attached = (await pending(client, manager, "attached"))[waiting.json()["id"]]
    assert "waits for a second credit manager" in attached["outcome"]
    requests = (await client.get("/v1/credit-limit-requests", headers=manager)).json()
    mine = [r for r in requests if r["customer_id"] == str(customer_id)]
    assert [(r["requested_by"], r["requested_limit"]["amount"]) for r in mine] == [
        ("credit-manager", "250000.00")
    ]
