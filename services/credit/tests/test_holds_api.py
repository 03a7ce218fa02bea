"""Manual credit holds: placing, releasing, listing; idempotency, errors and scopes."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.models import CreditHold, plumbing

pytestmark = pytest.mark.integration


async def known_customer(app: FastAPI, sales_rep: str | None = "rep@example.com") -> uuid.UUID:
    customer_id = uuid.uuid4()
    async with app.state.sessionmaker() as session:
        await CreditCustomerRepository(session).upsert(
            {
                "id": customer_id,
                "external_id": f"C-{customer_id.hex[:6]}",
                "name": "Initech",
                "currency": "EUR",
                "business_entity": "DE01",
                "sales_rep": sales_rep,
                "time_zone": "UTC",
            }
        )
        await session.commit()
    return customer_id


async def events_for(app: FastAPI, customer_id: uuid.UUID) -> list[str]:
    o = plumbing.outbox
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(o.c.event_type).where(o.c.message_key == str(customer_id)).order_by(o.c.id)
        )
        return list(rows)


async def test_manual_hold_is_placed_with_an_event_for_the_sales_rep(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = await known_customer(credit_app)
    response = await client.post(
        "/v1/holds", json={"customer_id": str(customer_id), "reason_code": "bankruptcy_risk"}, headers=manager
    )
    assert response.status_code == 201
    hold = response.json()
    assert hold["status"] == "active"
    assert hold["source"] == "manual"
    assert hold["placed_by"] == "credit-manager"
    assert await events_for(credit_app, customer_id) == ["ar.credit.CreditHoldPlaced.v1"]


async def test_retried_placement_with_the_same_key_places_one_hold(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = await known_customer(credit_app)
    body = {"customer_id": str(customer_id), "reason_code": "fraud_suspected"}
    headers = manager | {"Idempotency-Key": f"hold-{customer_id}"}
    first = await client.post("/v1/holds", json=body, headers=headers)
    retry = await client.post("/v1/holds", json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["idempotent-replayed"] == "true"
    other_body = await client.post("/v1/holds", json=body | {"note": "changed"}, headers=headers)
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    async with credit_app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(CreditHold).where(CreditHold.customer_id == customer_id)
        )
    assert count == 1


async def test_a_second_active_manual_hold_for_the_same_reason_is_a_conflict(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = await known_customer(credit_app)
    body = {"customer_id": str(customer_id), "reason_code": "other"}
    assert (await client.post("/v1/holds", json=body, headers=manager)).status_code == 201
    again = await client.post("/v1/holds", json=body, headers=manager)
    assert again.status_code == 409
    assert again.json()["code"] == "hold_already_active"


async def test_unknown_customer_is_refused(client: httpx.AsyncClient, manager: dict[str, str]) -> None:
    response = await client.post(
        "/v1/holds", json={"customer_id": str(uuid.uuid4()), "reason_code": "other"}, headers=manager
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "customer_not_found"


async def test_release_needs_an_active_hold_and_a_reason(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = await known_customer(credit_app)
    hold = (
        await client.post(
            "/v1/holds", json={"customer_id": str(customer_id), "reason_code": "other"}, headers=manager
        )
    ).json()
    no_reason = await client.post(f"/v1/holds/{hold['id']}/release", json={"reason": ""}, headers=manager)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"

    released = await client.post(
        f"/v1/holds/{hold['id']}/release", json={"reason": "Guarantee received"}, headers=manager
    )
    assert released.status_code == 200
    assert released.json()["status"] == "released"
    assert released.json()["release_reason"] == "Guarantee received"

    twice = await client.post(f"/v1/holds/{hold['id']}/release", json={"reason": "again"}, headers=manager)
    assert twice.status_code == 409
    assert twice.json()["code"] == "hold_not_active"
    assert await events_for(credit_app, customer_id) == [
        "ar.credit.CreditHoldPlaced.v1",
        "ar.credit.CreditHoldReleased.v1",
    ]


async def test_the_order_system_may_read_holds_but_not_place_them(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], order_system: dict[str, str]
) -> None:
    customer_id = await known_customer(credit_app)
    await client.post(
        "/v1/holds", json={"customer_id": str(customer_id), "reason_code": "other"}, headers=manager
    )

    listed = await client.get(
        "/v1/holds", params={"customer_id": str(customer_id), "status": "active"}, headers=order_system
    )
    assert listed.status_code == 200
    assert [h["reason_code"] for h in listed.json()["items"]] == ["other"]

    forbidden = await client.post(
        "/v1/holds", json={"customer_id": str(customer_id), "reason_code": "past_due"}, headers=order_system
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "insufficient_scope"
    anonymous = await client.get("/v1/holds")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "missing_token"
