"""Activities: moments past the accepted range or as Unix numbers, NUL in text and forged cursors
are 4xx problems naming what is wrong, and nothing is written."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_collections.models import Activity
from ar_collections.testing import Book

pytestmark = pytest.mark.integration


def forged(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).rstrip(b"=").decode()


async def known_account(app: FastAPI) -> uuid.UUID:
    book = Book(app)
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    return await book.account(portfolio_id=portfolio, name="Hostile", entity="HX")


async def activities(app: FastAPI) -> int:
    async with Book(app).session() as session:
        return await session.scalar(select(func.count()).select_from(Activity)) or 0


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"occurred_at": "0001-01-01T00:00+14:00"}, "occurred_at", "date_out_of_range"),
        ({"occurred_at": "9999-12-31T23:59:59-14:00"}, "occurred_at", "date_out_of_range"),
        ({"occurred_at": 0}, "occurred_at", "datetime_format"),
        ({"occurred_at": "1767225600"}, "occurred_at", "datetime_format"),
        ({"occurred_at": "2026-11-24T14:05:00"}, "occurred_at", "datetime_format"),
        ({"summary": "Called\u0000"}, "summary", "control_character"),
        ({"summary": "Called\u001b[31m"}, "summary", "control_character"),
        ({"contact": "Jane\u0000"}, "contact", "control_character"),
    ],
)
async def test_a_bad_moment_or_text_in_an_activity_is_a_422_naming_the_field(
    client: httpx.AsyncClient,
    collections_app: FastAPI,
    collector: dict[str, str],
    change: dict[str, Any],
    field: str,
    code: str,
) -> None:
    customer_id = await known_account(collections_app)
    body = {"kind": "call", "outcome": "no_answer", "summary": "Called", "contact": "Jane"} | change
    before = await activities(collections_app)
    response = await client.post(
        f"/v1/accounts/{customer_id}/activities",
        content=json.dumps(body),
        headers=collector | {"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert await activities(collections_app) == before


async def test_multi_line_summaries_are_still_text(
    client: httpx.AsyncClient, collections_app: FastAPI, collector: dict[str, str]
) -> None:
    customer_id = await known_account(collections_app)
    body = {"kind": "note", "summary": "Line one\n\tLine two\r\n"}
    response = await client.post(f"/v1/accounts/{customer_id}/activities", json=body, headers=collector)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "cursor",
    [
        forged("0001-01-01T00:00:00+14:00", str(uuid.uuid4())),
        forged("2026-11-24T10:00:00", str(uuid.uuid4())),
        forged("yesterday", str(uuid.uuid4())),
        forged("2026-11-24T10:00:00+00:00", "x"),
        forged(1767225600, str(uuid.uuid4())),
    ],
)
async def test_a_forged_cursor_is_a_400_not_a_500(
    client: httpx.AsyncClient, collections_app: FastAPI, collector: dict[str, str], cursor: str
) -> None:
    customer_id = await known_account(collections_app)
    response = await client.get(
        f"/v1/accounts/{customer_id}/activities", params={"cursor": cursor}, headers=collector
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PUT", "/v1/collectors/fuzzy", {"display_name": "F", "active": 0}, "active"),
        ("PUT", "/v1/collectors/collector-anna/absence", {"absent": 1}, "absent"),
        ("PUT", "/v1/outcome-codes/reached", {"description": "Reached", "active": 0}, "active"),
        ("PUT", "/v1/reason-codes/awaiting_po", {"description": "PO", "active": "false"}, "active"),
        ("POST", "/v1/assignment-runs", {"dry_run": 1}, "dry_run"),
    ],
)
async def test_a_number_or_string_is_no_boolean(
    client: httpx.AsyncClient,
    collections_app: FastAPI,
    manager: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    """The OpenAPI documents say boolean: 0, 1 or "false" is refused, not read as one (schemathesis)."""
    await Book(collections_app).collector("collector-anna")
    response = await client.request(method, path, json=body, headers=manager)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
