"""Two credit APIs and two credit workers against one schema and one consumer group share the
ledger's events (partitions keyed by customer) with nothing doubled or lost.

The first platform runs the ledger (API and worker) and a credit API and worker; a second one,
from another directory and on other ports, runs another credit API and worker on the same
database and the same topic prefix, so both workers join the same consumer group and split the
partitions of `ledger.events` between them.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from ar_credit.consumers import handlers as credit_handlers
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.kafka import until_members
from ar_shared.testing.platform import platform_env
from ar_shared.testing.stack import Stack, scratch_database

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CUSTOMERS = 24
IMPORTS = 4
PER_IMPORT = 400  # invoices per bulk request, spread over every customer
SINGLES = 48  # invoices posted one at a time while the imports run


def admin_dsn(stack: Stack) -> str:
    return stack.admin_url.replace("postgresql+asyncpg", "postgresql")


async def until_topic_exists(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        async with asyncio.timeout(60):
            while True:
                if topic in await admin.list_topics():
                    return
                await asyncio.sleep(0.25)
    finally:
        await admin.close()


async def until(conn: asyncpg.Connection, query: str, value: object, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while True:
            if await conn.fetchval(query) == value:
                return
            await asyncio.sleep(0.25)


async def for_credit(conn: asyncpg.Connection) -> set[uuid.UUID]:
    """The ids of the ledger's events of a type credit handles."""
    outbox = await conn.fetch("SELECT event_id, event_type FROM ledger.outbox")
    return {r["event_id"] for r in outbox if credit_handlers.get(r["event_type"]) is not None}


async def until_applied(conn: asyncpg.Connection, timeout: float = 30) -> None:
    """Until credit's inbox holds every event of the ledger's it handles."""
    async with asyncio.timeout(timeout):
        while True:
            inbox = {r["event_id"] for r in await conn.fetch("SELECT event_id FROM credit.inbox")}
            if await for_credit(conn) <= inbox:
                return
            await asyncio.sleep(0.25)


async def check_continuously(apis: list[httpx.AsyncClient], customers: list[str], stop: asyncio.Event) -> int:
    """Credit checks on both APIs while the events flow: every one answers 200; how many were sent."""
    sent = 0
    while not stop.is_set():
        api = apis[sent % len(apis)]
        answer = await api.get(
            "/v1/credit-check",
            params={"customer_id": random.choice(customers), "amount": "10.00", "currency": "EUR"},
        )
        assert answer.status_code == 200, answer.text
        sent += 1
        await asyncio.sleep(0.02)
    return sent


async def test_two_credit_replicas_share_the_ledgers_events_with_nothing_doubled_or_lost(
    stack: Stack, tmp_path: Path, unique: str
) -> None:
    prefix = f"s{unique}."
    entity = f"SO{unique}"[:12]
    today = TEST_CLOCK.now().date()
    async with scratch_database(stack, f"s{unique}") as own:
        first = platform_env(own, tmp_path / "first", prefix, ["ledger", "credit"])
        second = platform_env(own, tmp_path / "second", prefix, ["credit"])
        assert first.ports["credit"] != second.ports["credit"]
        conn = await asyncpg.connect(admin_dsn(own))
        try:
            await first.start("ledger")
            # the ledger worker creates its topic; both credit workers then subscribe to it
            await until_topic_exists(own.kafka_bootstrap, f"{prefix}ledger.events")
            await first.start("credit")
            await second.start("credit")
            group = f"{prefix}ar-credit"
            await until_members(own.kafka_bootstrap, group, 2)

            ledger = first.client("ledger", "ledger:write", "ledger:read")
            apis = [first.client("credit", "credit:check"), second.client("credit", "credit:check")]
            async with ledger, apis[0], apis[1]:
                externals = [f"SO-{unique}-{n}" for n in range(CUSTOMERS)]
                customers = []
                for external_id in externals:
                    created = await ledger.put(
                        f"/v1/customers/external/{external_id}",
                        json={"name": external_id, "currency": "EUR", "payment_terms_days": 30,
                              "business_entity": entity},
                    )  # fmt: skip
                    assert created.status_code == 201, created.text
                    customers.append(created.json()["id"])

                stop = asyncio.Event()
                checking = asyncio.create_task(check_continuously(apis, customers, stop))
                try:
                    for i in range(IMPORTS):
                        items = [
                            {"customer_external_id": externals[n % CUSTOMERS],
                             "invoice_number": f"SO-{unique}-B{i}-{n}",
                             "issue_date": today.isoformat(),
                             "amount": {"amount": f"{10 + n % 90}.{n % 100:02d}", "currency": "EUR"}}
                            for n in range(PER_IMPORT)
                        ]  # fmt: skip
                        imported = await ledger.post("/v1/invoices/bulk", json={"items": items})
                        assert imported.status_code == 201, imported.text
                        for n in range(SINGLES // IMPORTS):
                            posted = await ledger.post(
                                "/v1/invoices",
                                json={"customer_id": customers[(i * 7 + n) % CUSTOMERS],
                                      "invoice_number": f"SO-{unique}-S{i}-{n}",
                                      "issue_date": today.isoformat(),
                                      "amount": {"amount": "5.00", "currency": "EUR"}},
                            )  # fmt: skip
                            assert posted.status_code == 201, posted.text

                    # every customer's exposure, in credit, equals its open balance in the ledger
                    await until(
                        conn,
                        """SELECT count(*) FROM ledger.customers l
                           LEFT JOIN credit.exposures e ON e.customer_id = l.id
                           WHERE coalesce(e.open_ar_minor, 0) <> l.open_ar_minor""",
                        0,
                        timeout=60,
                    )
                    await until_applied(conn)
                finally:
                    stop.set()
                    checks = await checking
                assert checks > 0

                # each event applied once: one inbox row per event, nothing else
                inbox = await conn.fetch(
                    "SELECT consumer_group, event_id, count(*) AS n FROM credit.inbox"
                    " GROUP BY consumer_group, event_id"
                )
                assert {r["consumer_group"] for r in inbox} == {group}
                assert [r for r in inbox if r["n"] != 1] == []
                # every event of the ledger that credit handles (the load's, and whatever the
                # ledger's scheduled jobs emitted meanwhile), none from anywhere else
                outbox_ids = await for_credit(conn)
                assert {r["event_id"] for r in inbox} == outbox_ids
                issued = await conn.fetchval(
                    "SELECT count(*) FROM ledger.outbox WHERE event_type = 'ar.ledger.InvoiceIssued.v1'"
                )
                assert issued == IMPORTS * PER_IMPORT + SINGLES

                # both workers took part, and together they handled each event once
                by_worker = [await first.events_handled("credit"), await second.events_handled("credit")]
                assert all(n > 0 for n in by_worker), by_worker
                assert sum(by_worker) == len(outbox_ids), by_worker

                # both APIs answer from the same exposure, the ledger's open balance
                balances = dict(
                    await conn.fetch(
                        "SELECT id, open_ar_minor FROM ledger.customers WHERE id = ANY($1::uuid[])",
                        [uuid.UUID(c) for c in customers],
                    )
                )
                for customer_id in customers:
                    expected = f"{Decimal(balances[uuid.UUID(customer_id)]).scaleb(-2):.2f}"
                    for api in apis:
                        answer = await api.get(
                            "/v1/credit-check",
                            params={"customer_id": customer_id, "amount": "1.00", "currency": "EUR"},
                        )
                        assert answer.status_code == 200, answer.text
                        assert answer.json()["exposure"]["open_ar"] == {"amount": expected, "currency": "EUR"}
        finally:
            await conn.close()
            await second.run("stop", "credit")
            await first.run("stop", "ledger", "credit")
