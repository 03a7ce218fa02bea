"""Business-date benchmark: advancing an entity's business date by 90 days in one request.

`PUT /v1/business-dates/{entity}` closes every day crossed in the request's transaction: the
entity's past-due sweep for each day (one set-wise pass over the days), then BusinessDateChanged
per day. Ratios against baselines measured in the same run, on the same books:
- the same 91 days swept one request at a time (`POST /v1/past-due-sweeps` with the entity), the
  way a caller would catch up without the close of business;
- for information, the query the sweep ran before business dates existed (every customer of every
  entity, open items as of the day) run raw for each of the 91 days, without deciding or writing.

Books: three entities of `--customers` customers with `--invoices` invoices each, due within 60
days either side of the start; a third of them paid by applications effective before, during or
after the 90 days (so the as-of logic is exercised). Each run builds a fresh database
(`ar_bench_business_dates`), dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from harness import admin_dsn, bench_database, write_results
from pydantic import SecretStr

from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app
from ar_shared.clock import ManualClock
from ar_shared.testing.http import bearer
from ar_shared.testing.stack import local_stack

DATABASE = "bench_business_dates"
START = date(2026, 11, 24)  # a benchmark about dates: the books are built around this one
DAYS = 90

# the past-due sweep's query before business dates (every customer, open items as of :as_of)
PREVIOUS_SWEEP_QUERY = """
WITH applied AS (
    SELECT a.invoice_id, sum(a.amount_minor)::bigint AS applied_minor
    FROM ledger.applications a
    WHERE a.effective_date <= $1 AND (a.reversed_on IS NULL OR a.reversed_on > $1)
    GROUP BY a.invoice_id
), open_items AS (
    SELECT i.id, i.customer_id, i.due_date, i.currency, i.amount_minor - coalesce(ap.applied_minor, 0) AS open_minor
    FROM ledger.invoices i LEFT JOIN applied ap ON ap.invoice_id = i.id
    WHERE i.issue_date <= $1 AND (i.voided_on IS NULL OR i.voided_on > $1)
      AND i.amount_minor - coalesce(ap.applied_minor, 0) > 0 AND i.due_date < $1
)
SELECT customer_id, currency, max($1 - due_date), sum(open_minor), array_agg(id ORDER BY due_date, id)
FROM open_items GROUP BY customer_id, currency
"""


async def books(conn: asyncpg.Connection, entity: str, customers: int, invoices: int, seed: int) -> None:
    """Customers, invoices and the applications that paid a third of them, by COPY (the sweep
    reads only these; the same seed gives two entities the same books)."""
    rng = random.Random(seed)
    customer_rows, invoice_rows, application_rows = [], [], []
    for c in range(customers):
        customer_id = uuid.uuid4()
        customer_rows.append((customer_id, f"{entity}-{c}", f"Customer {c}", "EUR", 30, entity, "UTC", 1))
        for n in range(invoices):
            invoice_id, amount = uuid.uuid4(), rng.randint(10_000, 500_000)
            due = START + timedelta(days=rng.randint(-60, 60))
            paid_on = START + timedelta(days=rng.randint(-60, DAYS + 30)) if rng.random() < 1 / 3 else None
            paid = paid_on is not None and paid_on >= due - timedelta(days=30)
            invoice_rows.append((invoice_id, customer_id, entity, f"{entity}-{c}-{n}", due - timedelta(days=30), due,
                                 "EUR", amount, 0 if paid else amount, "paid" if paid else "open", 1))  # fmt: skip
            if paid:
                application_rows.append(
                    (uuid.uuid4(), customer_id, invoice_id, "payment", uuid.uuid4(), amount, paid_on)
                )
    await conn.copy_records_to_table(
        "customers", schema_name="ledger", records=customer_rows,
        columns=["id", "external_id", "name", "currency", "payment_terms_days", "business_entity", "time_zone", "version"],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "invoices", schema_name="ledger", records=invoice_rows,
        columns=["id", "customer_id", "business_entity", "invoice_number", "issue_date", "due_date", "currency",
                 "amount_minor", "open_minor", "status", "version"],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "applications", schema_name="ledger", records=application_rows,
        columns=["id", "customer_id", "invoice_id", "source_kind", "source_id", "amount_minor", "effective_date"],
    )  # fmt: skip


async def run(customers: int, invoices: int) -> dict[str, Any]:
    with local_stack() as stack:
        async with bench_database(stack, DATABASE, ["ledger"]) as bench:
            conn = await asyncpg.connect(admin_dsn(bench))
            try:
                for seed, entity in [(0, "AHEAD"), (0, "DAILY"), (1, "OTHER")]:  # AHEAD and DAILY alike
                    await books(conn, entity, customers, invoices, seed=seed)
                await conn.execute("ANALYZE")
                settings = LedgerSettings(
                    environment="test", log_level="WARNING", database_url=SecretStr(bench.url("ledger", "app")),
                    kafka_bootstrap_servers=stack.kafka_bootstrap,
                )  # fmt: skip
                clock = ManualClock(datetime.combine(START, clock_time(12), tzinfo=UTC))
                app = create_app(settings, clock)
                headers = bearer(settings.auth, "admin", subject="bench", clock=clock)
                async with (
                    app.router.lifespan_context(app),
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=3600) as client,
                ):  # fmt: skip
                    started = time.perf_counter()
                    response = await client.put(
                        "/v1/business-dates/AHEAD", json={"business_date": (START + timedelta(days=DAYS)).isoformat()},
                        headers=headers,
                    )  # fmt: skip
                    ahead_seconds = time.perf_counter() - started
                    assert response.status_code == 200, response.text

                    started, daily_events = time.perf_counter(), 0
                    for n in range(DAYS + 1):
                        response = await client.post(
                            "/v1/past-due-sweeps",
                            json={
                                "as_of": (START + timedelta(days=n)).isoformat(),
                                "business_entity": "DAILY",
                            },
                            headers=headers,
                        )
                        assert response.status_code == 200, response.text
                        daily_events += response.json()["events_emitted"]
                    daily_seconds = time.perf_counter() - started

                started = time.perf_counter()
                for n in range(DAYS + 1):
                    await conn.fetch(PREVIOUS_SWEEP_QUERY, START + timedelta(days=n))
                previous_seconds = time.perf_counter() - started
                counts = await conn.fetch(
                    "SELECT envelope->>'type' AS type, count(*) FROM ledger.outbox o"
                    " WHERE message_key IN (SELECT id::text FROM ledger.customers WHERE business_entity = 'AHEAD')"
                    " OR message_key = 'AHEAD' GROUP BY 1"
                )
            finally:
                await conn.close()
    emitted = {r["type"].split(".")[2]: r["count"] for r in counts}
    return {
        "customers_per_entity": customers,
        "invoices_per_entity": customers * invoices,
        "days_closed": DAYS + 1,
        "one_put_seconds": round(ahead_seconds, 2),
        "events_of_the_put": emitted,
        "daily_sweep_requests_seconds": round(daily_seconds, 2),
        "daily_sweep_events": daily_events,
        "ratio_put_to_daily_requests": round(ahead_seconds / daily_seconds, 3),
        "previous_sweep_query_91_times_seconds": round(previous_seconds, 2),
        "ratio_put_to_previous_query": round(ahead_seconds / previous_seconds, 3),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--invoices", type=int, default=10, help="per customer")
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    write_results(args.output, await run(args.customers, args.invoices))


if __name__ == "__main__":
    asyncio.run(main())
