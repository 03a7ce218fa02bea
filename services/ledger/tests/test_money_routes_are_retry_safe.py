"""A client that retries a money movement after a timeout never moves the money twice.

Each scenario posts once with an `Idempotency-Key` (the answer is "lost"), lets the books move
on where that matters (a new invoice arrives), then retries with the same key: the first answer
comes back, marked `Idempotent-Replayed`, and balances, applications, journal, events and audit
records are exactly as the first request left them. The same key with another body is refused.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app
from ar_shared.db import asyncpg_dsn
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


class Books:
    """One EUR customer, and the documents a scenario needs."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], external_id: str) -> None:
        self.client, self.headers, self.external_id = client, headers, external_id
        self.customer_id = ""

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=self.headers)
        assert response.status_code in {200, 201}, response.text
        return dict(response.json())

    async def open_customer(self, entity: str = "RT") -> None:
        body = {"name": "Retrier", "currency": "EUR", "payment_terms_days": 30, "business_entity": entity}
        response = await self.client.put(
            f"/v1/customers/external/{self.external_id}", json=body, headers=self.headers
        )
        self.customer_id = response.json()["id"]

    async def invoice(self, number: str, amount: str, issued: str = "2026-10-01") -> dict[str, Any]:
        return await self.post(
            "/v1/invoices",
            {
                "customer_external_id": self.external_id,
                "invoice_number": number,
                "issue_date": issued,
                "amount": eur(amount),
            },
        )

    async def pay(self, amount: str, on: str, **extra: Any) -> dict[str, Any]:
        body = {"customer_external_id": self.external_id, "amount": eur(amount), "received_on": on}
        return await self.post("/v1/payments", body | extra)

    async def picture(self, app: FastAPI) -> dict[str, Any]:
        """Everything a retry could change: balances, cash, applications, journal, events, audit."""
        query: dict[str, str | int] = {"customer_id": self.customer_id, "limit": 200}
        invoices = (await self.client.get("/v1/invoices", params=query, headers=self.headers)).json()
        payments = (await self.client.get("/v1/payments", params=query, headers=self.headers)).json()
        async with app.state.sessionmaker() as session:
            counts = (
                await session.execute(
                    text(
                        "SELECT (SELECT count(*) FROM ledger.journal_entries),"
                        " (SELECT count(*) FROM ledger.outbox),"
                        " (SELECT count(*) FROM ledger.audit_log),"
                        " (SELECT count(*) FROM ledger.write_offs WHERE customer_id = :c),"
                        " (SELECT coalesce(sum(unapplied_minor), 0) FROM ledger.credit_memos"
                        "  WHERE customer_id = :c),"
                        " (SELECT array_agg(amount_minor ORDER BY seq) FROM ledger.applications"
                        "  WHERE customer_id = :c AND reversed_on IS NULL)"
                    ),
                    {"c": self.customer_id},
                )
            ).one()
        return {
            "invoices": [(i["invoice_number"], i["status"], i["open_balance"]) for i in invoices["items"]],
            "payments": [(p["id"], p["status"], p["unapplied"]) for p in payments["items"]],
            "journal_entries, events, audit records, write-offs, memo credit, applications": tuple(counts),
        }


@dataclass
class Retry:
    path: str
    body: dict[str, Any]
    other_body: dict[str, Any]
    status: int = 200
    # what happens on the books between the lost answer and the retry
    meanwhile: Callable[[], Awaitable[Any]] | None = field(default=None)


async def explicit_application(books: Books) -> Retry:
    invoice = await books.invoice("K-1", "100.00")
    payment = await books.pay("300.00", on="2026-10-01", allocations=[])
    apply = {
        "effective_date": "2026-10-05",
        "allocations": [{"invoice_id": invoice["id"], "amount": eur("50.00")}],
    }
    other = {
        "effective_date": "2026-10-05",
        "allocations": [{"invoice_id": invoice["id"], "amount": eur("60.00")}],
    }
    return Retry(f"/v1/payments/{payment['id']}/applications", apply, other)


async def auto_application(books: Books) -> Retry:
    await books.invoice("K-1", "100.00")
    payment = await books.pay("300.00", on="2026-10-01", allocations=[])
    return Retry(
        f"/v1/payments/{payment['id']}/applications",
        {"effective_date": "2026-10-05"},
        {"effective_date": "2026-10-06"},
        # a retry that ran again would pay this one from the 200.00 left
        meanwhile=lambda: books.invoice("K-2", "100.00", issued="2026-10-02"),
    )


async def unapply(books: Books) -> Retry:
    await books.invoice("K-1", "100.00")
    payment = await books.pay("100.00", on="2026-10-02")
    application_id = payment["applications"][0]["id"]
    return Retry(
        f"/v1/applications/{application_id}/unapply",
        {"effective_date": "2026-10-10"},
        {"effective_date": "2026-10-11"},
    )


async def reversal(books: Books) -> Retry:
    await books.invoice("K-1", "100.00")
    payment = await books.pay("100.00", on="2026-10-02")
    return Retry(
        f"/v1/payments/{payment['id']}/reverse",
        {"reversed_on": "2026-10-10", "reason": "cheque returned"},
        {"reversed_on": "2026-10-10", "reason": "charge-back"},
    )


async def void(books: Books) -> Retry:
    invoice = await books.invoice("K-1", "100.00")
    return Retry(
        f"/v1/invoices/{invoice['id']}/void",
        {"voided_on": "2026-10-02", "reason": "billed twice"},
        {"voided_on": "2026-10-03", "reason": "billed twice"},
    )


async def credit_memo_application(books: Books) -> Retry:
    invoice = await books.invoice("K-1", "100.00")
    memo = await books.post(
        "/v1/credit-memos",
        {
            "customer_external_id": books.external_id,
            "memo_number": "CM-1",
            "issue_date": "2026-10-02",
            "amount": eur("80.00"),
        },
    )
    apply = {
        "effective_date": "2026-10-05",
        "allocations": [{"invoice_id": invoice["id"], "amount": eur("30.00")}],
    }
    other = {
        "effective_date": "2026-10-05",
        "allocations": [{"invoice_id": invoice["id"], "amount": eur("40.00")}],
    }
    return Retry(f"/v1/credit-memos/{memo['id']}/applications", apply, other)


async def write_off(books: Books) -> Retry:
    invoice = await books.invoice("K-1", "100.00")
    body = {
        "invoice_id": invoice["id"],
        "amount": eur("10.00"),
        "reason_code": "small_balance",
        "effective_date": "2026-10-05",
    }
    return Retry("/v1/write-offs", body, body | {"amount": eur("20.00")}, status=201)


async def past_due_sweep(books: Books) -> Retry:
    await books.invoice("K-1", "100.00")  # due 2026-10-31
    return Retry("/v1/past-due-sweeps", {"as_of": "2026-11-15"}, {"as_of": "2026-11-16"})


@pytest.mark.parametrize(
    "scenario",
    [
        explicit_application,
        auto_application,
        unapply,
        reversal,
        void,
        credit_memo_application,
        write_off,
        past_due_sweep,
    ],
    ids=lambda s: s.__name__,
)
async def test_a_retry_after_a_timeout_replays_the_answer_and_moves_nothing_twice(
    scenario: Callable[[Books], Awaitable[Retry]],
    client: httpx.AsyncClient,
    ledger_app: FastAPI,
    writer: dict[str, str],
) -> None:
    books = Books(client, writer, "RT-1")
    await books.open_customer()
    retry = await scenario(books)
    with_key = writer | {"Idempotency-Key": f"{scenario.__name__}-{uuid.uuid4()}"}

    first = await client.post(retry.path, json=retry.body, headers=with_key)
    assert first.status_code == retry.status, first.text
    if retry.meanwhile is not None:
        await retry.meanwhile()
    before_retry = await books.picture(ledger_app)

    again = await client.post(retry.path, json=retry.body, headers=with_key)
    assert again.status_code == retry.status
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await books.picture(ledger_app) == before_retry

    reused = await client.post(retry.path, json=retry.other_body, headers=with_key)
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["code"] == "idempotency_key_reused"
    assert await books.picture(ledger_app) == before_retry


async def test_a_duplicate_sent_while_the_first_application_runs_is_a_409_and_cash_is_applied_once(
    ledger_settings: LedgerSettings, ledger_schema: None, stack: Stack, unique: str
) -> None:
    headers = bearer(ledger_settings.auth, "ledger:read", "ledger:write", subject=f"erp-{unique}")
    async with (
        running(create_app(ledger_settings, TEST_CLOCK), rollback=False) as app,
        client_for(app) as client,
    ):
        books = Books(client, headers, f"RT-{unique}")
        await books.open_customer(entity=f"RT{unique}")
        invoice = await books.invoice("K-1", "100.00")
        payment = await books.pay("300.00", on="2026-10-01", allocations=[])
        path = f"/v1/payments/{payment['id']}/applications"
        body = {
            "effective_date": "2026-10-05",
            "allocations": [{"invoice_id": invoice["id"], "amount": eur("50.00")}],
        }
        with_key = headers | {"Idempotency-Key": f"apply-{unique}"}

        # another transaction holds the customer's row: the first request takes the key, then waits
        blocker = await asyncpg.connect(asyncpg_dsn(stack.admin_url))
        try:
            holding = blocker.transaction()
            await holding.start()
            await blocker.execute(
                "SELECT 1 FROM ledger.customers WHERE id = $1 FOR UPDATE", uuid.UUID(books.customer_id)
            )
            first = asyncio.create_task(client.post(path, json=body, headers=with_key))
            await _until_waiting_on_a_lock(blocker)
            try:  # a duplicate that queued behind the first instead of failing fast would hang here
                duplicate = await asyncio.wait_for(client.post(path, json=body, headers=with_key), 10)
            finally:
                await holding.rollback()
            done = await first
        finally:
            await blocker.close()

        assert duplicate.status_code == 409
        assert duplicate.headers["content-type"] == "application/problem+json"
        assert duplicate.json()["code"] == "idempotency_key_in_flight"
        assert done.status_code == 200, done.text
        replayed = await client.post(path, json=body, headers=with_key)
        assert replayed.headers["idempotent-replayed"] == "true"
        paid = (await client.get(f"/v1/payments/{payment['id']}", headers=headers)).json()
    assert paid["unapplied"] == eur("250.00")
    assert [a["amount"] for a in paid["applications"]] == [eur("50.00")]


async def _until_waiting_on_a_lock(connection: asyncpg.Connection) -> None:
    # the first request is parked on the row lock (and so holds its key) once PostgreSQL says so
    for _ in range(200):
        waiting = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database() AND application_name = 'ar-ledger'"
        )
        if waiting:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the first request never reached the customer's row lock")
