"""A retried credit-manager or order-system POST changes holds, orders and limits only once.

The first answer is "lost" to a timeout; the retry with the same `Idempotency-Key` gets it back
(`Idempotent-Replayed: true`) and holds, open orders, limits, events and audit records stay as
the first request left them. The same key with another body is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from ar_credit.config import CreditSettings
from ar_credit.customers.repository import CreditCustomerRepository
from ar_shared.clock import Clock
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration


@dataclass
class Desk:
    client: httpx.AsyncClient
    app: FastAPI
    manager: dict[str, str]
    second_manager: dict[str, str]
    order_system: dict[str, str]
    customer_id: uuid.UUID

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=headers)
        assert response.status_code in {200, 201, 202}, response.text
        return dict(response.json())

    async def set_limit(self, amount: str) -> dict[str, Any]:
        response = await self.client.put(
            f"/v1/credit-profiles/{self.customer_id}",
            json={
                "credit_limit": {"amount": amount, "currency": "EUR"},
                "risk_class": "low",
                "reason": "test",
            },
            headers=self.manager,
        )
        assert response.status_code in {200, 201, 202}, response.text
        return dict(response.json())

    async def order(self, reference: str, amount: str) -> dict[str, Any]:
        body = {
            "order_reference": f"{reference}-{self.customer_id.hex[:8]}",
            "customer_id": str(self.customer_id),
            "amount": {"amount": amount, "currency": "EUR"},
        }
        return await self.post("/v1/credit-decisions", body, self.order_system)

    async def picture(self) -> dict[str, Any]:
        """Everything a retry could change: holds, orders, the limit, events, audit records."""
        async with self.app.state.sessionmaker() as session:
            row = (
                await session.execute(
                    text(
                        "SELECT (SELECT array_agg(status || ':' || coalesce(release_reason, '') ORDER BY id)"
                        "        FROM credit.credit_holds WHERE customer_id = :c),"
                        " (SELECT array_agg(order_reference || ':' || status ORDER BY order_reference)"
                        "        FROM credit.orders WHERE customer_id = :c),"
                        " (SELECT open_orders_minor FROM credit.exposures WHERE customer_id = :c),"
                        " (SELECT limit_minor FROM credit.credit_profiles WHERE customer_id = :c),"
                        " (SELECT array_agg(status ORDER BY id)"
                        "        FROM credit.limit_requests WHERE customer_id = :c),"
                        " (SELECT count(*) FROM credit.outbox),"
                        " (SELECT count(*) FROM credit.audit_log)"
                    ),
                    {"c": self.customer_id},
                )
            ).one()
        names = ["holds", "orders", "open orders", "limit", "limit requests", "events", "audit records"]
        return dict(zip(names, row, strict=True))


@dataclass
class Retry:
    path: str
    body: dict[str, Any] | None
    other_body: dict[str, Any] | None
    headers: dict[str, str]
    status: int = 200


async def hold_placement(desk: Desk) -> Retry:
    body = {"customer_id": str(desk.customer_id), "reason_code": "fraud_suspected"}
    return Retry("/v1/holds", body, body | {"note": "changed"}, desk.manager, status=201)


async def hold_release(desk: Desk) -> Retry:
    hold = await desk.post(
        "/v1/holds", {"customer_id": str(desk.customer_id), "reason_code": "other"}, desk.manager
    )
    return Retry(
        f"/v1/holds/{hold['id']}/release",
        {"reason": "guarantee received"},
        {"reason": "paid in full"},
        desk.manager,
    )


async def order_decision(desk: Desk) -> Retry:
    await desk.set_limit("1000.00")
    body = {
        "order_reference": f"SO-{desk.customer_id.hex[:8]}",
        "customer_id": str(desk.customer_id),
        "amount": {"amount": "700.00", "currency": "EUR"},
    }
    other = body | {"order_reference": f"SO2-{desk.customer_id.hex[:8]}"}
    return Retry("/v1/credit-decisions", body, other, desk.order_system, status=201)


async def order_override(desk: Desk) -> Retry:
    await desk.set_limit("100.00")
    refused = await desk.order("SO", "700.00")
    return Retry(
        f"/v1/credit-decisions/{refused['order_reference']}/release",
        {"reason": "CFO approved"},
        {"reason": "CEO approved"},
        desk.manager,
    )


async def order_cancellation(desk: Desk) -> Retry:
    await desk.set_limit("1000.00")
    approved = await desk.order("SO", "700.00")
    return Retry(f"/v1/credit-decisions/{approved['order_reference']}/cancel", None, None, desk.order_system)


async def order_invoiced(desk: Desk) -> Retry:
    await desk.set_limit("1000.00")
    approved = await desk.order("SO", "700.00")
    return Retry(
        f"/v1/credit-decisions/{approved['order_reference']}/invoiced", None, None, desk.order_system
    )


def limit_decision(approve: bool) -> Callable[[Desk], Awaitable[Retry]]:
    async def scenario(desk: Desk) -> Retry:
        await desk.set_limit("5000.00")
        request = await desk.set_limit("50000.00")
        assert request["status"] == "pending"
        verb = "approve" if approve else "reject"  # by another manager than the requester
        return Retry(
            f"/v1/credit-limit-requests/{request['id']}/{verb}",
            {"note": "checked"},
            {"note": "checked twice"},
            desk.second_manager,
        )

    scenario.__name__ = "limit_approval" if approve else "limit_rejection"
    return scenario


@pytest.fixture
async def desk(
    client: httpx.AsyncClient,
    credit_app: FastAPI,
    credit_settings: CreditSettings,
    manager: dict[str, str],
    order_system: dict[str, str],
    clock: Clock,
) -> Desk:
    customer_id = uuid.uuid4()
    async with credit_app.state.sessionmaker() as session:
        await CreditCustomerRepository(session).upsert(
            {
                "id": customer_id,
                "external_id": f"RT-{customer_id.hex[:6]}",
                "name": "Retrier",
                "currency": "EUR",
                "business_entity": "DE01",
                "sales_rep": "rep@example.com",
                "time_zone": "UTC",
            }
        )
        await session.commit()
    second = bearer(
        credit_settings.auth, "credit:manage", "credit:check", subject="head-of-credit", clock=clock
    )
    return Desk(client, credit_app, manager, second, order_system, customer_id)


@pytest.mark.parametrize(
    "scenario",
    [
        hold_placement,
        hold_release,
        order_decision,
        order_override,
        order_cancellation,
        order_invoiced,
        limit_decision(approve=True),
        limit_decision(approve=False),
    ],
    ids=lambda s: s.__name__,
)
async def test_a_retry_after_a_timeout_replays_the_answer_and_changes_nothing_twice(
    scenario: Callable[[Desk], Awaitable[Retry]], client: httpx.AsyncClient, desk: Desk
) -> None:
    retry = await scenario(desk)
    with_key = retry.headers | {"Idempotency-Key": f"{scenario.__name__}-{desk.customer_id}"}

    first = await client.post(retry.path, json=retry.body, headers=with_key)
    assert first.status_code == retry.status, first.text
    before_retry = await desk.picture()

    again = await client.post(retry.path, json=retry.body, headers=with_key)
    assert again.status_code == retry.status
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await desk.picture() == before_retry

    if retry.other_body is not None:
        reused = await client.post(retry.path, json=retry.other_body, headers=with_key)
        assert reused.status_code == 422
        assert reused.headers["content-type"] == "application/problem+json"
        assert reused.json()["code"] == "idempotency_key_reused"
        assert await desk.picture() == before_retry
