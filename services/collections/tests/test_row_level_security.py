"""A collector sees and changes only the accounts of the portfolios they own or cover, enforced
by PostgreSQL row-level security: another portfolio's account answers 404 and nothing is
written; a statement without the caller set sees no account at all; managers see all."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from ar_collections.config import CollectionsSettings
from ar_collections.models import Activity, ItemReasonHistory, Task, plumbing
from ar_collections.testing import Book
from ar_shared.clock import Clock
from ar_shared.db import asyncpg_dsn
from ar_shared.testing.http import bearer
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration


@pytest.fixture
def ben(collections_settings: CollectionsSettings, clock: Clock) -> dict[str, str]:
    return bearer(collections_settings.auth, "collections:work", subject="collector-ben", clock=clock)


async def two_portfolios(book: Book) -> tuple[uuid.UUID, uuid.UUID]:
    """An account of Anna's and an account of Ben's (with an overdue invoice each)."""
    anna = await book.portfolio(await book.collector("collector-anna"))
    ben = await book.portfolio(await book.collector("collector-ben"))
    annas, bens = await book.account(portfolio_id=anna), await book.account(portfolio_id=ben)
    for account in (annas, bens):
        await book.invoice(account, due=date(2026, 1, 31), amount="100.00")
    return annas, bens


async def counts(book: Book) -> tuple[int, ...]:
    found = []
    async with book.session() as session:
        for table in (Activity, Task, ItemReasonHistory, plumbing.outbox, plumbing.audit_log):
            found.append(await session.scalar(select(func.count()).select_from(table)) or 0)
    return tuple(found)


async def test_another_portfolios_account_answers_404_and_nothing_is_written(
    client: httpx.AsyncClient, book: Book, collector: dict[str, str]
) -> None:
    annas, bens = await two_portfolios(book)
    assert (await client.get(f"/v1/accounts/{annas}", headers=collector)).status_code == 200
    before = await counts(book)
    async with book.session() as session:
        item = await session.scalar(
            text("SELECT invoice_id FROM collections.open_items WHERE customer_id = :c"), {"c": bens}
        )
    attempts = [
        client.get(f"/v1/accounts/{bens}", headers=collector),
        client.get(f"/v1/accounts/{bens}/activities", headers=collector),
        client.post(
            f"/v1/accounts/{bens}/activities", json={"kind": "note", "summary": "peek"}, headers=collector
        ),
        client.post(
            f"/v1/accounts/{bens}/tasks",
            json={"kind": "call", "title": "call", "due_on": "2999-01-01"},
            headers=collector,
        ),
        client.post(
            f"/v1/accounts/{bens}/reason-codes",
            json={"invoice_ids": [str(item)], "code": "in_legal"},
            headers=collector,
        ),
        client.put(f"/v1/accounts/{bens}/do-not-contact", json={"reason": "litigation"}, headers=collector),
        client.get(f"/v1/accounts/{bens}/assignment", headers=collector),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "account_not_found"
    assert await counts(book) == before
    # Anna's list shows her account only
    listed = (await client.get("/v1/accounts", headers=collector)).json()["items"]
    assert [a["customer_id"] for a in listed] == [str(annas)]


async def test_an_item_of_another_portfolio_is_no_item_of_the_callers_account(
    client: httpx.AsyncClient, book: Book, collector: dict[str, str]
) -> None:
    annas, bens = await two_portfolios(book)
    async with book.session() as session:
        bens_item = await session.scalar(
            text("SELECT invoice_id FROM collections.open_items WHERE customer_id = :c"), {"c": bens}
        )
    response = await client.post(
        f"/v1/accounts/{annas}/reason-codes",
        json={"invoice_ids": [str(bens_item)], "code": "in_legal"},
        headers=collector,
    )
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("invoice_ids.0", "not_an_item_of_the_account")
    ]


async def test_a_manager_sees_every_account(
    client: httpx.AsyncClient, book: Book, manager: dict[str, str]
) -> None:
    annas, bens = await two_portfolios(book)
    for account in (annas, bens):
        assert (await client.get(f"/v1/accounts/{account}", headers=manager)).status_code == 200


async def test_the_backup_sees_the_accounts_only_while_the_owner_is_absent(
    client: httpx.AsyncClient,
    book: Book,
    collector: dict[str, str],
    ben: dict[str, str],
    manager: dict[str, str],
) -> None:
    await book.collector("collector-ben")
    anna = await book.portfolio(await book.collector("collector-anna"), backup="collector-ben")
    account = await book.account(portfolio_id=anna)
    await book.invoice(account, due=date(2026, 1, 31), amount="100.00")
    assert (await client.get(f"/v1/accounts/{account}", headers=ben)).status_code == 404

    away = await client.put(
        "/v1/collectors/collector-anna/absence", json={"absent": True, "until": "2999-01-10"}, headers=manager
    )
    assert away.status_code == 200, away.text
    assert (await client.get(f"/v1/accounts/{account}", headers=ben)).status_code == 200
    worklist = (await client.get("/v1/worklist", headers=ben)).json()["items"]
    assert [i["customer_id"] for i in worklist] == [str(account)]
    # the owner keeps seeing them
    assert (await client.get(f"/v1/accounts/{account}", headers=collector)).status_code == 200

    back = await client.put("/v1/collectors/collector-anna/absence", json={"absent": False}, headers=manager)
    assert back.status_code == 200
    assert (await client.get(f"/v1/accounts/{account}", headers=ben)).status_code == 404
    assert (await client.get("/v1/worklist", headers=ben)).json()["items"] == []


async def test_a_statement_without_the_caller_set_sees_no_account(
    collections_app: FastAPI, collections_settings: CollectionsSettings, stack: Stack, admin_engine: object
) -> None:
    """On a fresh connection of the runtime role, with a committed account in the table."""
    customer_id = uuid.uuid4()
    app_dsn = asyncpg_dsn(collections_settings.database_url.get_secret_value())
    owner = await asyncpg.connect(asyncpg_dsn(stack.url("collections", "owner")))
    try:
        # the owner is not subject to the policies (it owns the tables): it seeds and cleans up
        await owner.execute(
            "INSERT INTO collections.accounts (customer_id, external_id, name, currency, business_entity, "
            "time_zone) VALUES ($1, $2, 'Committed', 'EUR', 'DE01', 'UTC')",
            customer_id,
            f"RLS-{customer_id.hex[:8]}",
        )
        app = await asyncpg.connect(app_dsn)
        try:
            seen = "SELECT count(*) FROM collections.accounts WHERE customer_id = $1"
            assert await app.fetchval(seen, customer_id) == 0
            assert await app.fetchval("SELECT count(*) FROM collections.accounts") == 0
            async with app.transaction():
                await app.execute("SELECT set_config('collections.sees_all', 'on', true)")
                assert await app.fetchval(seen, customer_id) == 1
            # the setting ended with the transaction: the connection is back to seeing nothing
            assert await app.fetchval(seen, customer_id) == 0
            async with app.transaction():
                await app.execute("SELECT set_config('collections.subject', 'collector-nobody', true)")
                assert await app.fetchval(seen, customer_id) == 0
            # and the runtime role cannot write around the policy either
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await app.execute(
                    "INSERT INTO collections.accounts (customer_id, external_id, name, currency, "
                    "business_entity, time_zone) VALUES ($1, 'X', 'X', 'EUR', 'DE01', 'UTC')",
                    uuid.uuid4(),
                )
        finally:
            await app.close()
    finally:
        await owner.execute("DELETE FROM collections.accounts WHERE customer_id = $1", customer_id)
        await owner.close()


async def test_the_runtime_role_does_not_own_the_tables_nor_bypass_the_policies(stack: Stack) -> None:
    owner = await asyncpg.connect(asyncpg_dsn(stack.url("collections", "owner")))
    try:
        rows = await owner.fetch(
            "SELECT c.relname, c.relrowsecurity, pg_get_userbyid(c.relowner) AS owner FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'collections' AND c.relkind = 'r'"
        )
        bypass = await owner.fetchval(
            "SELECT rolbypassrls FROM pg_roles WHERE rolname = 'ar_collections_app'"
        )
    finally:
        await owner.close()
    assert {r["owner"] for r in rows} == {"ar_collections_owner"}
    assert bypass is False
    protected = {r["relname"] for r in rows if r["relrowsecurity"]}
    assert protected >= {
        "accounts", "open_items", "payments", "credit_memos", "credit_holds", "credit_profiles", "activities",
        "tasks", "item_reasons", "item_reason_history", "assignment_history", "do_not_contact",
    }  # fmt: skip
