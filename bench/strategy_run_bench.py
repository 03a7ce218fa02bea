"""Strategy-run benchmark, a ratio against a baseline measured in the same run:

the strategy run of one business entity for one business date (`POST /v1/strategy-runs`: the
accounts in chunks, each chunk's steps fired, tasks, outbox events and counts in a transaction
of its own) over 100,000 accounts of which 20,000 are overdue, against the raw SQL that selects
the same due steps (each overdue account's highest step within its days past due, past its
level, not paused, not barred from contact) in one statement; same database, same run.

It also shows that the run emits its events through the outbox in chunk transactions, never in
one transaction over the whole run: the transactions the run committed (counted on its engine:
the run's record, the quiet accounts' count, one per chunk of accounts judged, the completion),
the transactions that wrote outbox rows and the largest of them (by the rows' `xmin`), and how
many outbox rows another connection saw committed while the run was still going.

uv run python bench/strategy_run_bench.py [--accounts 100000] [--overdue 20000] [--output results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time as stopwatch
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from harness import admin_dsn, bench_database, write_results
from pydantic import SecretStr
from sqlalchemy import event

from ar_collections.config import CollectionsSettings
from ar_collections.main import create_app as collections_app
from ar_shared.testing.http import bearer
from ar_shared.testing.stack import Stack, local_stack

DATABASE = "bench_strategy_run"
AS_OF = date(2026, 11, 24)
ENTITY = "BX01"
STRATEGY = "bench"
STEPS = [
    {"days": -5, "action": "email_reminder", "template_key": "pre_due_reminder"},
    {"days": 3, "action": "email_reminder", "template_key": "first_reminder"},
    {"days": 10, "action": "call_task", "sla_days": 2},
    {"days": 20, "action": "demand_letter", "template_key": "demand_letter"},
    {"days": 30, "action": "escalate"},
    {"days": 45, "action": "final_notice", "template_key": "final_notice"},
    {"days": 60, "action": "recommend_credit_hold"},
]


async def seed(conn: asyncpg.Connection, accounts: int, overdue: int) -> None:
    """Every account has an open item; `overdue` of them one overdue by 1 to 120 days (and one
    not yet due), the others one not due within the pre-due reminder's reach. One overdue
    account in fifty has its overdue item paused, one in a hundred is barred from contact."""
    customer_ids = [uuid.uuid4() for _ in range(accounts)]
    await conn.copy_records_to_table(
        "accounts", schema_name="collections",
        columns=["customer_id", "external_id", "name", "currency", "business_entity", "time_zone", "contact_email"],
        records=[(c, f"BX-{n}", f"Customer {n:06d}", "EUR", ENTITY, "UTC", f"ap{n}@customer.example")
                 for n, c in enumerate(customer_ids)],
    )  # fmt: skip
    step = max(1, accounts // overdue)
    late = customer_ids[::step][:overdue]
    late_set = set(late)
    rows: list[tuple[uuid.UUID, uuid.UUID, date, int]] = []
    paused: list[tuple[uuid.UUID, uuid.UUID]] = []
    for n, customer in enumerate(late):
        invoice = uuid.uuid4()
        rows.append((invoice, customer, AS_OF - timedelta(days=1 + n % 120), 10_000 + n % 900_000))
        rows.append((uuid.uuid4(), customer, AS_OF + timedelta(days=20), 5_000))
        if n % 50 == 7:
            paused.append((customer, invoice))
    for n, customer in enumerate(c for c in customer_ids if c not in late_set):
        rows.append((uuid.uuid4(), customer, AS_OF + timedelta(days=10 + n % 50), 10_000 + n % 900_000))
    await conn.copy_records_to_table(
        "open_items", schema_name="collections",
        columns=["invoice_id", "customer_id", "business_entity", "invoice_number", "issue_date", "due_date", "currency",
                 "exponent", "amount_minor", "open_minor"],
        records=[(i, c, ENTITY, f"I-{n}", due - timedelta(days=30), due, "EUR", 2, m, m)
                 for n, (i, c, due, m) in enumerate(rows)],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "dunning_pauses", schema_name="collections",
        columns=["id", "customer_id", "invoice_id", "reason", "ends_on", "created_by"],
        records=[(uuid.uuid4(), c, i, "promise", AS_OF + timedelta(days=14), "bench") for c, i in paused],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "do_not_contact", schema_name="collections",
        columns=["id", "customer_id", "reason", "set_by", "set_at"],
        records=[(uuid.uuid4(), c, "litigation", "bench", _midnight(AS_OF)) for c in late[3::100]],
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO collections.entity_calendars (business_entity, time_zone, mode, business_date) "
        "VALUES ($1, 'UTC', 'manual', $2)",
        ENTITY,
        AS_OF,
    )
    await conn.execute("VACUUM ANALYZE")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


# The due steps of the run, in one statement: per account of the entity, the days past due of its
# oldest unpaused open item, the highest step of the strategy within them and above the account's
# level, unless the account is barred from contact (catch-up "highest", a first run: no steps fired)
RAW_DUE_STEPS = """
WITH steps AS (
    SELECT (s ->> 'days')::int AS days, s ->> 'action' AS action
    FROM collections.dunning_strategies ds, jsonb_array_elements(ds.steps) s
    WHERE ds.name = $3 AND ds.version = (SELECT max(version) FROM collections.dunning_strategies WHERE name = $3)
),
oldest AS (
    SELECT o.customer_id, $2::date - min(o.due_date) AS dpd
    FROM collections.open_items o
    JOIN collections.accounts a ON a.customer_id = o.customer_id
    WHERE a.business_entity = $1 AND o.open_minor > 0
      AND NOT EXISTS (SELECT 1 FROM collections.dunning_pauses p
                      WHERE p.invoice_id = o.invoice_id AND p.lifted_at IS NULL AND p.ends_on >= $2)
    GROUP BY o.customer_id
)
SELECT DISTINCT ON (o.customer_id) o.customer_id, st.days, st.action
FROM oldest o
JOIN steps st ON st.days <= o.dpd
LEFT JOIN collections.dunning_states s ON s.customer_id = o.customer_id
WHERE (s.level_days IS NULL OR st.days > s.level_days)
  AND NOT EXISTS (SELECT 1 FROM collections.do_not_contact d
                  WHERE d.customer_id = o.customer_id AND d.lifted_at IS NULL
                    AND (d.ends_on IS NULL OR d.ends_on >= $2))
ORDER BY o.customer_id, st.days DESC
"""


async def bench_run(stack: Stack, accounts: int, overdue: int, chunk: int) -> dict[str, Any]:
    conn = await asyncpg.connect(admin_dsn(stack))
    try:
        started = stopwatch.perf_counter()
        await seed(conn, accounts, overdue)
        seed_seconds = stopwatch.perf_counter() - started
        settings = CollectionsSettings(
            environment="test", log_level="WARNING", database_url=SecretStr(stack.url("collections", "app")),
            kafka_bootstrap_servers=stack.kafka_bootstrap, strategy_run_chunk=chunk,
        )  # fmt: skip
        app = collections_app(settings)
        headers = bearer(settings.auth, "collections:manage", subject="bench")
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", timeout=3600
            ) as client:
                created = await client.post(
                    "/v1/dunning-strategies", json={"name": STRATEGY, "steps": STEPS}, headers=headers
                )
                assert created.status_code == 201, created.text
                segment = {"name": ENTITY, "strategy": STRATEGY, "priority": 1, "business_entity": ENTITY}
                response = await client.post("/v1/strategy-segments", json=segment, headers=headers)
                assert response.status_code == 201, response.text

                raw_seconds, expected = [], []
                for _ in range(3):  # the first warms the cache; the median of three is the baseline
                    started = stopwatch.perf_counter()
                    expected = await conn.fetch(RAW_DUE_STEPS, ENTITY, AS_OF, STRATEGY)
                    raw_seconds.append(stopwatch.perf_counter() - started)

                commits = 0

                def count_commit(_: Any) -> None:
                    nonlocal commits
                    commits += 1

                event.listen(app.state.engine.sync_engine, "commit", count_commit)
                seen_mid_run: list[int] = []
                done = asyncio.Event()

                async def observe() -> None:
                    # another connection: outbox rows it sees were committed while the run went on
                    watcher = await asyncpg.connect(admin_dsn(stack))
                    try:
                        while not done.is_set():
                            seen_mid_run.append(
                                await watcher.fetchval("SELECT count(*) FROM collections.outbox")
                            )
                            await asyncio.sleep(0.5)
                    finally:
                        await watcher.close()

                watcher = asyncio.create_task(observe())
                started, cpu_started = stopwatch.perf_counter(), stopwatch.process_time()
                response = await client.post(
                    "/v1/strategy-runs",
                    json={"business_entity": ENTITY, "as_of": AS_OF.isoformat()},
                    headers=headers,
                )
                run_seconds = stopwatch.perf_counter() - started
                # the run's own CPU in this process (the API is in-process): less at the neighbours' mercy
                run_cpu_seconds = stopwatch.process_time() - cpu_started
                done.set()
                await watcher
                event.remove(app.state.engine.sync_engine, "commit", count_commit)
                assert response.status_code == 201, response.text[:500]
                run = response.json()
        by_transaction = await conn.fetch(
            "SELECT xmin::text AS tx, count(*) AS n FROM collections.outbox GROUP BY 1"
        )
        events = await conn.fetchval("SELECT count(*) FROM collections.outbox")
        judged = await conn.fetchval("SELECT count(*) FROM collections.dunning_states")
        fired_rows = await conn.fetch(
            "SELECT customer_id, step_days, action FROM collections.dunning_steps_fired ORDER BY customer_id"
        )
    finally:
        await conn.close()
    raw = sorted(raw_seconds)[1]
    fired_total = sum(run["fired"].values())
    same = [(r["customer_id"], r["days"], r["action"]) for r in expected] == [
        (r["customer_id"], r["step_days"], r["action"]) for r in fired_rows
    ]
    total_outbox = int(events)
    return {
        "accounts": accounts,
        "overdue_accounts": overdue,
        "chunk": chunk,
        "seed_seconds": round(seed_seconds, 1),
        "run_seconds": round(run_seconds, 2),
        "run_process_cpu_seconds": round(run_cpu_seconds, 2),
        "raw_sql_seconds": round(raw, 3),
        "ratio": round(run_seconds / raw, 2),
        "goal": "<= 3",
        "accounts_seen": run["accounts_seen"],
        "fired": run["fired"],
        "skipped": run["skipped"],
        "due_steps_raw_sql": len(expected),
        "steps_fired": fired_total,
        "same_steps_as_raw_sql": same,
        "outbox_events": total_outbox,
        "transactions_committed_by_the_run": commits,
        "accounts_judged": int(judged),
        "accounts_quiet": run["accounts_seen"] - int(judged),
        "chunks": math.ceil(int(judged) / chunk),
        "transactions_writing_outbox_rows": len(by_transaction),
        "largest_transaction_outbox_rows": max((int(r["n"]) for r in by_transaction), default=0),
        "outbox_rows_seen_committed_mid_run": sorted(set(seen_mid_run)),
        "one_transaction_over_the_whole_run": len(by_transaction) <= 1,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--overdue", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=500, help="COLLECTIONS_STRATEGY_RUN_CHUNK")
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help=f"keep the database ar_{DATABASE} to look at")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with local_stack() as stack:
        async with bench_database(stack, DATABASE, ["collections"], keep=args.keep) as bench:
            results["strategy_run"] = await bench_run(bench, args.accounts, args.overdue, args.chunk)
            print("strategy_run", json.dumps(results["strategy_run"]), flush=True)
    write_results(args.output, results)


if __name__ == "__main__":
    asyncio.run(main())
