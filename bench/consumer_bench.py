"""Credit consumer benchmark: does credit keep up with the ledger's bulk ingestion?

Ratios and lags against the ledger's bulk ingestion measured in the same run, on a fresh
database (`ar_bench_consumer`) and topics of its own (a unique prefix):

1. ledger alone: `--invoices` invoices through the bulk API (10,000 per request, in-process as
   in bench/ledger_bench.py), no worker running: the ledger's bulk invoices per second;
2. credit consumer alone: the ledger worker publishes those events, then the credit worker
   (its real process, `ar_credit.worker`) starts and applies them from Kafka: events applied
   per second from its first to its last, against (1) (goal >= 1.0);
3. end to end: both workers running, another `--invoices` imported; from the commit of the
   import's last request until every customer's exposure in credit equals its open AR in the
   ledger (goal <= 10 s).

The customers (`--customers`, every one receiving invoices in every request) have credit
profiles, a few with limits the import crosses; a tenth of the invoices are long overdue, so the
policy places holds during the import as it would on a real migration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from harness import (
    Worker,
    admin_dsn,
    bench_database,
    ledger_in_process,
    put_customers,
    wait_for,
    write_results,
)

from ar_shared.clock import SYSTEM_CLOCK
from ar_shared.testing.ports import unused_port
from ar_shared.testing.stack import Stack, local_stack

DATABASE = "bench_consumer"
ENTITY = "BENCH"
REQUEST = 10_000  # invoices per bulk request (the API's maximum)
TODAY = SYSTEM_CLOCK.now().date()


async def add_profiles(conn: asyncpg.Connection) -> None:
    """Every customer gets a credit profile; one in twenty a limit that one import crosses."""
    await conn.execute(
        """
        INSERT INTO credit.credit_profiles (customer_id, currency, limit_minor, risk_class, version, updated_by)
        SELECT id, 'EUR', CASE WHEN row_number() OVER (ORDER BY external_id) % 20 = 0 THEN 2000000
                               ELSE 100000000000 END, 'medium', 1, 'bench'
        FROM credit.customers
        """
    )


def bodies(external_ids: list[str], invoices: int, label: str) -> list[bytes]:
    """Bulk requests cycling through the customers; one customer in ten gets an invoice 90 days
    overdue every fifth round."""
    result = []
    for r in range(max(1, invoices // REQUEST)):
        items = []
        for n in range(REQUEST):
            customer, round_ = divmod(n, len(external_ids))[::-1]
            overdue = customer % 10 == 0 and round_ % 5 == 0
            issued = TODAY - timedelta(days=120 if overdue else 1)
            items.append(
                {
                    "customer_external_id": external_ids[customer],
                    "invoice_number": f"{label}{r}-{n}",
                    "issue_date": issued.isoformat(),
                    "amount": {"amount": f"{100 + n % 900}.{n % 100:02d}", "currency": "EUR"},
                }
            )
        result.append(json.dumps({"items": items}).encode())
    return result


async def import_invoices(client: httpx.AsyncClient, headers: dict[str, str], requests: list[bytes]) -> float:
    """Posts the bulk requests one after the other; returns when the last one committed."""
    for payload in requests:
        response = await client.post(
            "/v1/invoices/bulk", content=payload, headers=headers | {"content-type": "application/json"}
        )
        assert response.status_code == 201, response.text[:500]
    return time.perf_counter()


UNPUBLISHED = "SELECT count(*) FROM ledger.outbox WHERE published_at IS NULL"
PUBLISHED = "SELECT count(*) FROM ledger.outbox WHERE published_at IS NOT NULL"
CREDIT_INVOICES = "SELECT count(*) FROM credit.invoices"
# customers whose exposure in credit is not yet the ledger's open AR
BEHIND = f"""
    SELECT count(*) FROM ledger.customers l LEFT JOIN credit.exposures e ON e.customer_id = l.id
    WHERE l.business_entity = '{ENTITY}' AND coalesce(e.open_ar_minor, 0) <> l.open_ar_minor
"""


async def run(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    async with bench_database(stack, args.database, ["ledger", "credit"]) as bench:
        return await measure(args, bench)


async def measure(args: argparse.Namespace, bench: Stack) -> dict[str, Any]:
    prefix = f"bench{uuid.uuid4().hex[:10]}."
    conn = await asyncpg.connect(admin_dsn(bench))
    ledger_worker = Worker("ledger", bench, prefix, outbox_batch_size=args.outbox_batch_size)
    metrics_port = unused_port()
    credit_worker = Worker(
        "credit", bench, prefix, consumer_max_batch=args.consumer_max_batch, worker_metrics_port=metrics_port
    )
    results: dict[str, Any] = {"customers": args.customers, "invoices_per_import": args.invoices}
    try:
        async with ledger_in_process(bench) as (client, headers):
            external_ids = [f"{ENTITY}-C{n}" for n in range(args.customers)]
            await put_customers(client, external_ids, ENTITY, headers)
            await ledger_worker.start()
            await credit_worker.start()
            await wait_for(conn, "SELECT count(*) FROM credit.customers", args.customers, timeout=300)
            await add_profiles(conn)
            await credit_worker.stop()
            await ledger_worker.stop()
            first, second = (
                bodies(external_ids, args.invoices, "A"),
                bodies(external_ids, args.invoices, "B"),
            )
            n = len(first) * REQUEST

            # 1. the ledger alone
            started, cpu_started = time.perf_counter(), time.process_time()
            committed = await import_invoices(client, headers, first)
            ledger_rate = n / (committed - started)
            results["ledger_bulk_invoices_per_second"] = round(ledger_rate)
            # this process is the ledger API (in-process, as in bench/ledger_bench.py)
            results["ledger_api_cpu_ms_per_1000_invoices"] = round(
                (time.process_time() - cpu_started) / n * 1e6, 1
            )

            # 2. the credit consumer alone, from a backlog on Kafka (the ledger worker, idle
            # once it published the backlog, keeps running for step 3)
            published_before = await conn.fetchval(PUBLISHED)
            await ledger_worker.start()
            first_published = await wait_for_change(conn, PUBLISHED, published_before, timeout=120)
            published_then = await conn.fetchval(PUBLISHED)
            published = await wait_for(conn, UNPUBLISHED, 0, timeout=600, every=0.02)
            results["relay_events_per_second"] = round(
                (n + published_before - published_then) / (published - first_published)
            )
            await credit_worker.start()
            first_seen = await wait_for_change(conn, CREDIT_INVOICES, 0, timeout=120)
            batches_before = await batch_metrics(metrics_port)
            seen_then = await conn.fetchval(CREDIT_INVOICES)
            cpu_first = credit_worker.cpu_seconds()
            done = await wait_for(conn, CREDIT_INVOICES, n, timeout=1200, every=0.02)
            consumer_rate = (n - seen_then) / (done - first_seen)
            results["credit_consumer_events_per_second"] = round(consumer_rate)
            results["credit_consumer_transactions"] = batch_delta(
                batches_before, await batch_metrics(metrics_port)
            )
            results["ratio"] = round(consumer_rate / ledger_rate, 2)
            results["goal_ratio"] = ">= 1.0"
            results["credit_worker_cpu_ms_per_1000_events"] = round(
                (credit_worker.cpu_seconds() - cpu_first) / max(n - seen_then, 1) * 1_000_000, 1
            )
            await wait_for(conn, BEHIND, 0, timeout=60)

            # 3. end to end: both workers running during the import
            batches_before = await batch_metrics(metrics_port)
            started = time.perf_counter()
            timeline: list[tuple[float, int, int]] = []
            sampling = asyncio.create_task(sample(admin_dsn(bench), started, timeline))
            committed = await import_invoices(client, headers, second)
            results["ledger_bulk_invoices_per_second_with_workers_running"] = round(n / (committed - started))
            published = await wait_for(conn, UNPUBLISHED, 0, timeout=600, every=0.02)
            caught_up = await wait_for(conn, BEHIND, 0, timeout=600, every=0.02)
            sampling.cancel()
            results["import_committed_at_second"] = round(committed - started, 1)
            results["timeline_seconds_published_applied"] = timeline
            results["seconds_from_import_commit_to_every_exposure_matching"] = round(caught_up - committed, 2)
            results["seconds_from_import_commit_to_all_published"] = round(max(published - committed, 0), 2)
            results["goal_seconds"] = "<= 10"
            results["credit_consumer_transactions_end_to_end"] = batch_delta(
                batches_before, await batch_metrics(metrics_port)
            )
            results["holds_placed"] = await conn.fetchval("SELECT count(*) FROM credit.credit_holds")
    finally:
        await credit_worker.stop()
        await ledger_worker.stop()
        await conn.close()
    return results


async def sample(dsn: str, started: float, timeline: list[tuple[float, int, int]]) -> None:
    """Every second: how many of the import's events were published and applied so far."""
    conn = await asyncpg.connect(dsn)
    try:
        published_before = await conn.fetchval(PUBLISHED)
        applied_before = await conn.fetchval(CREDIT_INVOICES)
        while True:
            published = await conn.fetchval(PUBLISHED) - published_before
            applied = await conn.fetchval(CREDIT_INVOICES) - applied_before
            timeline.append((round(time.perf_counter() - started, 1), published, applied))
            await asyncio.sleep(1)
    finally:
        await conn.close()


async def batch_metrics(port: int) -> dict[str, float]:
    """The credit worker's consumer transactions so far: count, events and seconds (its /metrics)."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    totals = {"count": 0.0, "events": 0.0, "seconds": 0.0}
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name.startswith("ar_consumer_batch_events_count"):
            totals["count"] += float(value)
        elif name.startswith("ar_consumer_batch_events_sum"):
            totals["events"] += float(value)
        elif name.startswith("ar_consumer_batch_duration_seconds_sum"):
            totals["seconds"] += float(value)
    return totals


def batch_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    count = after["count"] - before["count"]
    return {
        "count": int(count),
        "mean_events": round((after["events"] - before["events"]) / count, 1) if count else 0,
        "mean_ms": round((after["seconds"] - before["seconds"]) / count * 1000, 1) if count else 0,
    }


async def wait_for_change(conn: asyncpg.Connection, query: str, value: Any, timeout: float) -> float:
    deadline = time.perf_counter() + timeout
    while (await conn.fetchval(query)) == value:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{query!r} stayed {value} for {timeout:.0f} s")
        await asyncio.sleep(0.01)
    return time.perf_counter()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=50_000, help="per import (multiple of 10,000)")
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument(
        "--consumer-max-batch", type=int, help="CREDIT_CONSUMER_MAX_BATCH (default: the service's)"
    )
    parser.add_argument(
        "--outbox-batch-size", type=int, help="LEDGER_OUTBOX_BATCH_SIZE (default: the service's)"
    )
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--database",
        default=DATABASE,
        help="suffix of the scratch database (runs side by side need their own)",
    )
    args = parser.parse_args()
    with local_stack() as stack:
        results = await run(args, stack)
    write_results(args.output, results)


if __name__ == "__main__":
    asyncio.run(main())
