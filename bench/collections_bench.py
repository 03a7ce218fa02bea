"""Collections benchmarks, ratios against baselines measured in the same run:

- worklist: the first page (50 items) of one collector's worklist, through the API (row-level
  security, scoring in Python, JSON), against the raw SQL that selects the same accounts, scores
  them and orders them (no RLS, no HTTP); 100,000 accounts in 50 portfolios of 2,000, 20,000 open
  items (4,000 of them the collector's), a follow-up on one account in ten, an SLA rule;
- projection: events the collections worker consumes per second (the shared consumer runner with
  the collections handlers, real Kafka) against the invoices per second the ledger's bulk
  ingestion takes for the same invoices, in the same run.

uv run python bench/collections_bench.py [--only worklist|projection] [--output results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time as stopwatch
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from harness import admin_dsn, bench_database, put_customers, timed, write_results
from pydantic import SecretStr

from ar_collections.config import CollectionsSettings
from ar_collections.consumers import handlers as collections_handlers
from ar_collections.main import create_app as collections_app
from ar_collections.models import plumbing as collections_plumbing
from ar_collections.projection.rebuild import consumer_group
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as ledger_app
from ar_ledger.models import plumbing as ledger_plumbing
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn, build_engine, build_sessionmaker
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.http import bearer
from ar_shared.testing.stack import Stack, local_stack

DATABASE = "bench_collections"
TODAY = date(2026, 11, 24)
ENTITY = "BX01"
COLLECTOR = "bench-collector"


async def seed_book(conn: asyncpg.Connection, accounts: int, items: int, portfolios: int) -> list[uuid.UUID]:
    """Returns the bench collector's portfolio ids (as the superuser: no row-level security)."""
    collectors = [COLLECTOR, *(f"collector-{n:02d}" for n in range(1, portfolios))]
    await conn.copy_records_to_table(
        "collectors", schema_name="collections", columns=["subject", "display_name"],
        records=[(c, c) for c in collectors],
    )  # fmt: skip
    portfolio_ids = [uuid.uuid4() for _ in collectors]
    await conn.copy_records_to_table(
        "portfolios", schema_name="collections", columns=["id", "name", "collector_subject", "created_by"],
        records=[(p, f"Portfolio {n}", c, "bench") for n, (p, c) in enumerate(zip(portfolio_ids, collectors, strict=True))],
    )  # fmt: skip
    customer_ids = [uuid.uuid4() for _ in range(accounts)]
    await conn.copy_records_to_table(
        "accounts", schema_name="collections",
        columns=["customer_id", "external_id", "name", "currency", "business_entity", "time_zone", "portfolio_id",
                 "assignment_source", "last_contact_on"],
        records=[
            (c, f"BX-{n}", f"Customer {n:06d}", "EUR", ENTITY, "UTC", portfolio_ids[n % portfolios], "rule",
             TODAY - timedelta(days=n % 45) if n % 3 else None)
            for n, c in enumerate(customer_ids)
        ],
    )  # fmt: skip
    risk = ["low", "medium", "high", "very_high", None]
    await conn.copy_records_to_table(
        "credit_profiles", schema_name="collections", columns=["customer_id", "risk_class"],
        records=[(c, risk[n % 5]) for n, c in enumerate(customer_ids) if risk[n % 5]],
    )  # fmt: skip
    own = [c for n, c in enumerate(customer_ids) if n % portfolios == 0]
    others = [c for n, c in enumerate(customer_ids) if n % portfolios != 0]
    # the collector's accounts: two open items each, one overdue (1 to 150 days), one not yet due;
    # the rest of the 20,000 items spread over the other accounts
    rows = []
    for n, customer in enumerate(own):
        for k, due in enumerate((TODAY - timedelta(days=1 + n % 150), TODAY + timedelta(days=10))):
            rows.append((customer, due, 10_000 + (n * 7919 + k) % 5_000_000))
    for n in range(items - len(rows)):
        rows.append(
            (others[(n * 31) % len(others)], TODAY - timedelta(days=n % 200 - 30), 10_000 + n % 900_000)
        )
    await conn.copy_records_to_table(
        "open_items", schema_name="collections",
        columns=["invoice_id", "customer_id", "business_entity", "invoice_number", "issue_date", "due_date", "currency",
                 "exponent", "amount_minor", "open_minor"],
        records=[(uuid.uuid4(), c, ENTITY, f"I-{n}", due - timedelta(days=30), due, "EUR", 2, m, m)
                 for n, (c, due, m) in enumerate(rows)],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "activities", schema_name="collections",
        columns=["id", "customer_id", "kind", "direction", "summary", "occurred_at", "occurred_on", "logged_by"],
        records=[
            (uuid.uuid4(), c, "call" if n % 2 else "email", "outbound", "contact", _noon(TODAY - timedelta(days=n % 45)),
             TODAY - timedelta(days=n % 45), COLLECTOR)
            for n, c in enumerate(own)
        ],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "tasks", schema_name="collections",
        columns=["id", "customer_id", "kind", "title", "due_on", "status", "source", "created_by"],
        records=[(uuid.uuid4(), c, "follow_up", "Call back", TODAY - timedelta(days=n % 5), "open", "collector", COLLECTOR)
                 for n, c in enumerate(own) if n % 10 == 0],
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO collections.sla_rules (id, code, name, trigger, within_days, action_kind, action_direction, "
        "created_by) VALUES ($1, 'call7', 'Call within 7 days', 'past_due', 7, 'call', 'outbound', 'bench')",
        uuid.uuid4(),
    )
    await conn.execute(
        "INSERT INTO collections.entity_calendars (business_entity, time_zone, mode, business_date) "
        "VALUES ($1, 'UTC', 'manual', $2)",
        ENTITY,
        TODAY,
    )
    # as autovacuum would have by now: statistics, and the visibility map index-only scans rely on
    await conn.execute("VACUUM ANALYZE")
    return [portfolio_ids[0]]


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


# The same accounts, facts, score (default weights) and order as the API, in one statement
RAW_WORKLIST = """
WITH scope AS (
    SELECT a.customer_id, a.external_id, a.name, a.last_contact_on, $1::date AS as_of
    FROM collections.accounts a WHERE a.portfolio_id = ANY ($2::uuid[])
),
items AS (
    SELECT o.customer_id, sum(o.open_minor) AS open_minor,
           coalesce(sum(o.open_minor) FILTER (WHERE o.due_date < s.as_of), 0) AS overdue_minor,
           min(o.due_date) FILTER (WHERE o.due_date < s.as_of) AS oldest_due
    FROM collections.open_items o JOIN scope s ON s.customer_id = o.customer_id
    WHERE o.open_minor > 0 GROUP BY o.customer_id
),
due_tasks AS (
    SELECT t.customer_id, count(*) AS due FROM collections.tasks t JOIN scope s ON s.customer_id = t.customer_id
    WHERE t.status = 'open' AND t.due_on <= s.as_of GROUP BY t.customer_id
),
calls AS (
    SELECT a.customer_id, max(a.occurred_on) AS last_call FROM collections.activities a
    JOIN scope s ON s.customer_id = a.customer_id
    WHERE a.kind = 'call' AND a.direction = 'outbound' GROUP BY a.customer_id
),
facts AS (
    SELECT s.customer_id, s.external_id, s.name, s.as_of, i.open_minor, i.overdue_minor, i.oldest_due,
           coalesce(t.due, 0) AS tasks_due, cp.risk_class,
           coalesce(s.as_of - i.oldest_due, 0) AS dpd,
           CASE WHEN i.oldest_due IS NULL THEN 0
                ELSE least(coalesce(s.as_of - s.last_contact_on, s.as_of - i.oldest_due), s.as_of - i.oldest_due)
           END AS uncontacted,
           (i.oldest_due IS NOT NULL AND s.as_of > i.oldest_due + 7
            AND (c.last_call IS NULL OR c.last_call < i.oldest_due + 1)) AS breached
    FROM scope s
    LEFT JOIN items i ON i.customer_id = s.customer_id
    LEFT JOIN due_tasks t ON t.customer_id = s.customer_id
    LEFT JOIN calls c ON c.customer_id = s.customer_id
    LEFT JOIN collections.credit_profiles cp ON cp.customer_id = s.customer_id
    WHERE i.oldest_due IS NOT NULL OR t.due IS NOT NULL
)
SELECT *, round(coalesce(overdue_minor, 0) / 100000.0, 2) + dpd * 0.5
          + CASE risk_class WHEN 'low' THEN 0 WHEN 'high' THEN 20 WHEN 'very_high' THEN 30 ELSE 10 END
          + uncontacted * 0.5 + CASE WHEN tasks_due > 0 THEN 25 ELSE 0 END AS score
FROM facts
ORDER BY breached DESC, score DESC, customer_id
LIMIT 50
"""


async def bench_worklist(stack: Stack, accounts: int, items: int, rounds: int) -> dict[str, Any]:
    conn = await asyncpg.connect(admin_dsn(stack))
    try:
        portfolios = await seed_book(conn, accounts, items, portfolios=50)
        settings = CollectionsSettings(
            environment="test", log_level="WARNING", database_url=SecretStr(stack.url("collections", "app")),
            kafka_bootstrap_servers=stack.kafka_bootstrap,
        )  # fmt: skip
        app = collections_app(settings)
        headers = bearer(settings.auth, "collections:work", subject=COLLECTOR)
        # the same statement as the collector, through the runtime role: row-level security applies
        as_collector = await asyncpg.connect(asyncpg_dsn(stack.url("collections", "app")))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:

                async def api() -> None:
                    response = await client.get("/v1/worklist", params={"limit": 50}, headers=headers)
                    assert response.status_code == 200, response.text[:300]
                    assert len(response.json()["items"]) == 50

                async def raw() -> None:
                    async with as_collector.transaction():
                        await as_collector.execute(
                            "SELECT set_config('collections.subject', $1, true)", COLLECTOR
                        )
                        assert len(await as_collector.fetch(RAW_WORKLIST, TODAY, portfolios)) == 50

                async def raw_unprotected() -> None:
                    assert len(await conn.fetch(RAW_WORKLIST, TODAY, portfolios)) == 50

                for _ in range(3):  # warm caches, prepared statements, pools
                    await api()
                    await raw()
                    await raw_unprotected()
                seconds: dict[str, list[float]] = {"api": [], "raw": [], "unprotected": []}
                for _ in range(rounds):  # interleaved: the machine's noise hits all alike
                    seconds["api"].append(await timed(api))
                    seconds["raw"].append(await timed(raw))
                    seconds["unprotected"].append(await timed(raw_unprotected))
                first = (await client.get("/v1/worklist", params={"limit": 50}, headers=headers)).json()[
                    "items"
                ]
        await as_collector.close()
        expected = await conn.fetch(RAW_WORKLIST, TODAY, portfolios)
    finally:
        await conn.close()
    same = [str(r["customer_id"]) for r in expected] == [i["customer_id"] for i in first]
    api_ms, raw_ms, unprotected_ms = (
        statistics.median(seconds[k]) * 1000 for k in ("api", "raw", "unprotected")
    )
    return {
        "accounts": accounts,
        "open_items": items,
        "collector_accounts": accounts // 50,
        "api_first_page_ms_median": round(api_ms, 1),
        "raw_sql_as_the_collector_ms_median": round(raw_ms, 1),
        "ratio": round(api_ms / raw_ms, 2),
        "goal": "<= 2",
        "raw_sql_without_row_level_security_ms_median": round(unprotected_ms, 1),
        "ratio_to_raw_sql_without_row_level_security": round(api_ms / unprotected_ms, 2),
        "same_first_page": same,
    }


# --- projection ------------------------------------------------------------------------------------


async def bench_projection(stack: Stack, invoices: int, customers: int) -> dict[str, Any]:
    prefix = f"cb{uuid.uuid4().hex[:10]}."
    common: dict[str, Any] = {
        "environment": "test", "log_level": "WARNING", "kafka_bootstrap_servers": stack.kafka_bootstrap,
        "kafka_topic_prefix": prefix,
    }  # fmt: skip
    ledger_settings = LedgerSettings(database_url=SecretStr(stack.url("ledger", "app")), **common)
    settings = CollectionsSettings(database_url=SecretStr(stack.url("collections", "app")), **common)
    app = ledger_app(ledger_settings)
    headers = bearer(ledger_settings.auth, "ledger:write", "ledger:read", subject="bench")
    batch = 10_000
    requests = max(1, invoices // batch)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
            await put_customers(client, [f"BULK-{n}" for n in range(customers)], "BULK", headers)
            bodies = [
                json.dumps(
                    {
                        "items": [
                            {"customer_external_id": f"BULK-{n % customers}", "invoice_number": f"B{r}-{n}",
                             "issue_date": "2026-10-01", "amount": {"amount": f"{100 + n % 900}.{n % 100:02d}", "currency": "EUR"}}
                            for n in range(batch)
                        ]
                    }
                ).encode()
                for r in range(requests)
            ]  # fmt: skip

            async def ingest() -> None:
                for body in bodies:
                    response = await client.post(
                        "/v1/invoices/bulk",
                        content=body,
                        headers=headers | {"content-type": "application/json"},
                    )
                    assert response.status_code == 201, response.text[:300]

            ingest_seconds = await timed(ingest)
        producer = build_producer(stack.kafka_bootstrap, "ar-collections-bench")
        await producer.start()
        try:
            relay = OutboxRelay(
                app.state.engine, ledger_plumbing, producer, asyncpg_dsn(stack.url("ledger", "app")),
                RelaySettings(topic_prefix=prefix, batch_size=5000),
            )  # fmt: skip
            started = stopwatch.perf_counter()
            published = await relay.drain()
            relay_seconds = stopwatch.perf_counter() - started
            engine = build_engine(settings)
            runner = ConsumerRunner(
                ConsumerSettings(group_id=consumer_group(settings), bootstrap_servers=stack.kafka_bootstrap,
                                 topic_prefix=prefix, max_batch=1000),
                collections_handlers, build_sessionmaker(engine), collections_plumbing, producer,
            )  # fmt: skip
            await runner.start()
            try:
                consumed = 0
                while consumed == 0:  # joining the group is not consumption
                    consumed = await runner.poll_once(timeout_ms=500)
                started = stopwatch.perf_counter()
                first = consumed
                while consumed < published:
                    consumed += await runner.poll_once(timeout_ms=500)
                consume_seconds = stopwatch.perf_counter() - started
            finally:
                await runner.stop()
                await engine.dispose()
        finally:
            await producer.stop()
    n = requests * batch
    ingest_rate = n / ingest_seconds
    consume_rate = (published - first) / consume_seconds
    return {
        "invoices": n,
        "events_published": published,
        "ledger_bulk_invoices_per_second": round(ingest_rate),
        "relay_events_per_second": round(published / relay_seconds),
        "collections_events_consumed_per_second": round(consume_rate),
        "ratio": round(consume_rate / ingest_rate, 3),
        "goal": ">= 1",
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["worklist", "projection"])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help=f"keep the database ar_{DATABASE} to look at")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with local_stack() as stack:
        async with bench_database(stack, DATABASE, ["ledger", "collections"], keep=args.keep) as bench:
            if args.only in (None, "worklist"):
                results["worklist"] = await bench_worklist(bench, args.accounts, args.items, args.rounds)
                print("worklist", results["worklist"], flush=True)
            if args.only in (None, "projection"):
                results["projection"] = await bench_projection(bench, args.invoices, args.customers)
                print("projection", results["projection"], flush=True)
    write_results(args.output, results)


if __name__ == "__main__":
    asyncio.run(main())
