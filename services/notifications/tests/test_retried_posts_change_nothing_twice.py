"""A retried notifications POST (after a timeout, same `Idempotency-Key`) changes nothing twice."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

pytestmark = pytest.mark.integration


async def retried(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[httpx.Response, httpx.Response]:
    with_key = headers | {"Idempotency-Key": str(uuid.uuid4())}
    first = await client.post(path, json=body, headers=with_key)
    assert first.status_code in {200, 201}, first.text
    again = await client.post(path, json=body, headers=with_key)
    assert again.headers["idempotent-replayed"] == "true"
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    return first, again


async def test_a_retried_template_save_stores_one_version(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    body = {
        "key": "first_reminder",
        "locale": "it",
        "subject": "Promemoria {{ customer_name }}",
        "body_text": "Buongiorno {{ customer_name }}",
        "body_html": "<p>Buongiorno {{ customer_name }}</p>",
    }
    first, _ = await retried(client, "/v1/templates", body, manager)
    assert first.status_code == 201
    listed = (await client.get("/v1/templates", headers=manager)).json()
    assert [t["version"] for t in listed if (t["key"], t["locale"]) == ("first_reminder", "it")] == [1]


async def test_a_retried_resend_queues_the_delivery_once(
    client: httpx.AsyncClient, notifications_app: FastAPI, manager: dict[str, str]
) -> None:
    delivery = (
        await client.post(
            "/v1/deliveries",
            json={
                "channel": "email",
                "recipient": "ap@acme.example",
                "template_key": "promise_confirmation",
                "context": {
                    "customer_name": "Acme",
                    "amount": "10.00",
                    "currency": "EUR",
                    "promised_date": "2026-12-01",
                },
            },
            headers=manager,
        )
    ).json()
    assert "id" in delivery, delivery
    async with notifications_app.state.sessionmaker() as session:
        await session.execute(
            text("UPDATE notifications.deliveries SET status = 'failed', attempts = 5 WHERE id = :id"),
            {"id": delivery["id"]},
        )
        await session.commit()
    first, _ = await retried(client, f"/v1/deliveries/{delivery['id']}/resend", {}, manager)
    assert (first.status_code, first.json()["status"]) == (200, "queued")
    shown = (await client.get(f"/v1/deliveries/{delivery['id']}", headers=manager)).json()
    assert (shown["status"], shown["attempts"]) == ("queued", 0)
