"""Customers API: upsert by ERP id, ETags, pagination, errors as problem+json, auth, audit, events."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_ledger.models import plumbing

pytestmark = pytest.mark.integration


def acme(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Acme Industrial GmbH",
        "currency": "EUR",
        "payment_terms_days": 30,
        "business_entity": "DE01",
        "sales_rep": "maria.keller@example.com",
        "contact_email": "ap@acme.example",
        "time_zone": "Europe/Berlin",
    }
    return body | overrides


async def count(app: FastAPI, table: Any, *where: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def test_first_upsert_creates_the_customer_with_an_event_and_an_audit_record(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    response = await client.put("/v1/customers/external/C-100", json=acme(), headers=writer)

    assert response.status_code == 201
    body = response.json()
    assert body["external_id"] == "C-100"
    assert body["currency"] == "EUR"
    assert body["version"] == 1
    assert response.headers["etag"] == 'W/"1"'
    customer_id = body["id"]
    outbox = plumbing.outbox
    assert await count(ledger_app, outbox, outbox.c.message_key == customer_id) == 1
    audit = plumbing.audit_log
    assert await count(ledger_app, audit, audit.c.entity_id == customer_id, audit.c.actor == "erp-sync") == 1


async def test_same_upsert_twice_changes_nothing_the_second_time(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    first = await client.put("/v1/customers/external/C-101", json=acme(), headers=writer)
    second = await client.put("/v1/customers/external/C-101", json=acme(), headers=writer)

    assert second.status_code == 200
    assert second.json()["version"] == 1
    outbox = plumbing.outbox
    assert await count(ledger_app, outbox, outbox.c.message_key == first.json()["id"]) == 1


async def test_changed_upsert_bumps_the_version_and_stale_if_match_is_refused(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    await client.put("/v1/customers/external/C-102", json=acme(), headers=writer)
    changed = await client.put(
        "/v1/customers/external/C-102",
        json=acme(payment_terms_days=45),
        headers=writer | {"If-Match": 'W/"1"'},
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    assert changed.json()["payment_terms_days"] == 45

    stale = await client.put(
        "/v1/customers/external/C-102",
        json=acme(payment_terms_days=60),
        headers=writer | {"If-Match": 'W/"1"'},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["code"] == "etag_mismatch"


async def test_invalid_customer_is_refused_field_by_field(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    response = await client.put(
        "/v1/customers/external/C-103",
        json=acme(currency="XXY", payment_terms_days=-1, time_zone="Mars/Olympus"),
        headers=writer,
    )
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["code"] == "validation_error"
    assert {e["field"] for e in problem["errors"]} == {
        "currency",
        "payment_terms_days",
        "time_zone",
    }


async def test_unknown_customer_is_a_404_problem(client: httpx.AsyncClient, reader: dict[str, str]) -> None:
    response = await client.get(f"/v1/customers/{uuid.uuid4()}", headers=reader)
    assert response.status_code == 404
    assert response.json()["code"] == "customer_not_found"


async def test_list_pages_with_a_cursor_and_filters(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    for n in range(5):
        await client.put(f"/v1/customers/external/P-{n}", json=acme(business_entity="PAGED"), headers=writer)
    await client.put("/v1/customers/external/P-other", json=acme(business_entity="OTHER"), headers=writer)

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"business_entity": "PAGED", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/customers", params=params, headers=writer)).json()
        seen += [c["external_id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"P-{n}" for n in range(5)]


async def test_writes_need_a_token_with_the_write_scope(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    anonymous = await client.put("/v1/customers/external/C-104", json=acme())
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert anonymous.headers["www-authenticate"].startswith("Bearer")

    read_only = await client.put("/v1/customers/external/C-104", json=acme(), headers=reader)
    assert read_only.status_code == 403
    assert read_only.json()["code"] == "insufficient_scope"


async def test_responses_carry_request_and_correlation_ids(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    response = await client.get("/v1/customers", headers=reader | {"X-Correlation-Id": "order-77"})
    assert response.headers["x-correlation-id"] == "order-77"
    assert response.headers["x-request-id"]


async def test_a_customer_is_found_by_its_erp_id(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    created = await client.put("/v1/customers/external/C-105", json=acme(), headers=writer)
    found = await client.get("/v1/customers/external/C-105", headers=reader)
    assert found.status_code == 200
    assert found.json() == created.json()
    assert found.headers["etag"] == created.headers["etag"]
    unknown = await client.get("/v1/customers/external/C-none", headers=reader)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["code"] == "customer_not_found"


async def test_only_the_documented_upsert_path_exists(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    # PUT /v1/customers/{external_id} would share GET /v1/customers/{customer_id}'s template,
    # which OpenAPI forbids; an undocumented route there is one no client tool can trust
    old = await client.put("/v1/customers/C-106", json=acme(), headers=writer)
    assert (old.status_code, old.json()["code"]) == (404, "not_found")  # "C-106" is no customer id
    by_id = await client.put(f"/v1/customers/{uuid.uuid4()}", json=acme(), headers=writer)
    assert (by_id.status_code, by_id.headers["allow"]) == (405, "GET")
    assert "/v1/customers/external/{external_id}" in ledger_app.openapi()["paths"]


async def test_a_405_names_every_method_the_path_allows(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    by_erp_id = await client.delete("/v1/customers/external/C-107", headers=writer)
    assert by_erp_id.status_code == 405
    assert by_erp_id.headers["content-type"] == "application/problem+json"
    assert by_erp_id.json()["code"] == "method_not_allowed"
    assert by_erp_id.headers["allow"] == "GET, PUT"
    collection = await client.patch("/v1/invoices", json={}, headers=writer)
    assert (collection.status_code, collection.headers["allow"]) == (405, "GET, POST")
    by_id = await client.post(f"/v1/customers/{uuid.uuid4()}", json={}, headers=writer)
    assert (by_id.status_code, by_id.headers["allow"]) == (405, "GET")
    # "bulk" is no invoice id: GET /v1/invoices/{invoice_id} is not a method of this path
    bulk = await client.get("/v1/invoices/bulk", headers=writer)
    assert (bulk.status_code, bulk.headers["allow"]) == (405, "POST")
