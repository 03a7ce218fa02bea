"""Suppression list API: add, list, lift; idempotency, errors and scopes."""

from __future__ import annotations

import uuid

import httpx
import pytest

from ar_notifications.config import NotificationsSettings
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration


async def test_address_is_suppressed_once_case_insensitively(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/suppressions", json={"address": "AP@Acme.example", "reason": "do_not_contact"}, headers=manager
    )
    assert created.status_code == 201
    assert created.json()["address"] == "ap@acme.example"
    assert created.json()["created_by"] == "ops"

    again = await client.post(
        "/v1/suppressions", json={"address": "ap@acme.EXAMPLE", "reason": "hard_bounce"}, headers=manager
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_suppressed"


async def test_retry_with_the_same_idempotency_key_replays_the_entry(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    headers = manager | {"Idempotency-Key": "supp-1"}
    body = {"address": "billing@globex.example", "reason": "unsubscribed"}
    first = await client.post("/v1/suppressions", json=body, headers=headers)
    retry = await client.post("/v1/suppressions", json=body, headers=headers)
    assert retry.status_code == 201
    assert retry.json() == first.json()
    changed = await client.post("/v1/suppressions", json=body | {"reason": "legal"}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"


async def test_invalid_address_and_reason_are_reported_per_field(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/suppressions", json={"address": "not-an-address", "reason": "bored"}, headers=manager
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"address", "reason"}


async def test_lifting_removes_the_entry_and_unknown_ids_are_404(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    entry = (
        await client.post(
            "/v1/suppressions", json={"address": "x@initech.example", "reason": "complaint"}, headers=manager
        )
    ).json()
    assert (await client.delete(f"/v1/suppressions/{entry['id']}", headers=manager)).status_code == 204
    listed = (await client.get("/v1/suppressions", params={"reason": "complaint"}, headers=manager)).json()
    assert entry["id"] not in [e["id"] for e in listed["items"]]
    missing = await client.delete(f"/v1/suppressions/{uuid.uuid4()}", headers=manager)
    assert missing.status_code == 404
    assert missing.json()["code"] == "suppression_not_found"


async def test_managing_the_list_needs_the_manage_scope(
    client: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    wrong = bearer(notifications_settings.auth, "ledger:read")
    assert (await client.get("/v1/suppressions", headers=wrong)).status_code == 403
    assert (await client.get("/v1/suppressions")).status_code == 401
