"""Collector activities: logged on known accounts, listed newest first; idempotency, errors, scopes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from ar_collections.config import CollectionsSettings
from ar_collections.testing import Book
from ar_shared.clock import Clock
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration


async def known_account(app: FastAPI) -> uuid.UUID:
    """An account in a portfolio of collector-anna (the `collector` fixture's subject)."""
    book = Book(app)
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    return await book.account(
        portfolio_id=portfolio, name="Umbrella plc", currency="GBP", entity="UK01", time_zone="Europe/London"
    )


async def test_a_logged_call_appears_in_the_history_newest_first(
    client: httpx.AsyncClient, collections_app: FastAPI, collector: dict[str, str], clock: Clock
) -> None:
    customer_id = await known_account(collections_app)
    now = clock.now()
    for hours_ago, summary in ((3, "first"), (1, "latest"), (2, "middle")):
        response = await client.post(
            f"/v1/accounts/{customer_id}/activities",
            json={
                "kind": "call",
                "outcome": "no_answer",
                "summary": summary,
                "occurred_at": (now - timedelta(hours=hours_ago)).isoformat(),
            },
            headers=collector,
        )
        assert response.status_code == 201
        assert response.json()["logged_by"] == "collector-anna"

    summaries: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (
            await client.get(f"/v1/accounts/{customer_id}/activities", params=params, headers=collector)
        ).json()
        summaries += [a["summary"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert summaries == ["latest", "middle", "first"]


async def test_a_double_submit_with_the_same_key_logs_once(
    client: httpx.AsyncClient, collections_app: FastAPI, collector: dict[str, str]
) -> None:
    customer_id = await known_account(collections_app)
    headers = collector | {"Idempotency-Key": "ui-submit-42"}
    body = {"kind": "note", "summary": "Customer changed AP clerk"}
    first = await client.post(f"/v1/accounts/{customer_id}/activities", json=body, headers=headers)
    second = await client.post(f"/v1/accounts/{customer_id}/activities", json=body, headers=headers)
    assert second.json()["id"] == first.json()["id"]
    history = (await client.get(f"/v1/accounts/{customer_id}/activities", headers=collector)).json()
    assert len(history["items"]) == 1


async def test_bad_activities_are_refused(
    client: httpx.AsyncClient, collections_app: FastAPI, collector: dict[str, str], clock: Clock
) -> None:
    customer_id = await known_account(collections_app)
    response = await client.post(
        f"/v1/accounts/{customer_id}/activities",
        json={"kind": "fax", "outcome": "maybe", "summary": "", "occurred_at": "yesterday"},
        headers=collector,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "summary", "occurred_at"}

    # outcome codes are the installation's (configurable): an unknown one is refused by name
    response = await client.post(
        f"/v1/accounts/{customer_id}/activities",
        json={"kind": "call", "outcome": "maybe", "summary": "Called"},
        headers=collector,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_outcome"
    assert [e["field"] for e in response.json()["errors"]] == ["outcome"]

    future = (clock.now() + timedelta(minutes=1)).isoformat()
    response = await client.post(
        f"/v1/accounts/{customer_id}/activities",
        json={"kind": "note", "summary": "tomorrow's call", "occurred_at": future},
        headers=collector,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "occurred_in_the_future"
    assert [e["field"] for e in response.json()["errors"]] == ["occurred_at"]

    unknown = await client.post(
        f"/v1/accounts/{uuid.uuid4()}/activities", json={"kind": "note", "summary": "x"}, headers=collector
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "account_not_found"

    garbage_cursor = await client.get(
        f"/v1/accounts/{customer_id}/activities", params={"cursor": "%%%"}, headers=collector
    )
    assert garbage_cursor.status_code == 400
    assert garbage_cursor.json()["code"] == "invalid_cursor"


async def test_activities_need_the_work_scope(
    client: httpx.AsyncClient, collections_app: FastAPI, collections_settings: CollectionsSettings
) -> None:
    customer_id = await known_account(collections_app)
    url = f"/v1/accounts/{customer_id}/activities"
    assert (await client.post(url, json={"kind": "note", "summary": "x"})).status_code == 401
    wrong = bearer(collections_settings.auth, "ledger:read")
    forbidden = await client.post(url, json={"kind": "note", "summary": "x"}, headers=wrong)
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "insufficient_scope"
