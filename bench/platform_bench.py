"""Platform benchmarks: the services as `make up` runs them (`deploy/services.sh`, real processes,
through `ar_shared.testing.platform`), each on a database and topics of its own.

- memory: the resident memory of the whole idle stack (the Kafka broker, PostgreSQL with every
  backend, and the four APIs, four workers and their supervisors), counted as PSS so that pages
  shared between processes (PostgreSQL's shared buffers) count once; goal <= 3 GiB;
- latency: from the commit of a ledger bulk request to the credit exposure and to the collections
  projection holding its invoices, p50 / p99, while the ledger ingests at 50 % of its peak (the
  peak measured first, in the same run), against a Kafka-only baseline: the same number of
  messages of the same size produced and consumed at the same rate (goal p99 <= 100 ms). Read
  from PostgreSQL's commit timestamps (the ledger's transaction, each consumer's transaction that
  applied the request's last event), so nothing watches the database while the requests run; and
  where that time goes, stage by stage, for the last event of each request: commit → the ledger
  relay's pass began (`outbox.published_at`) → the event appended to its Kafka batch (the
  record's CreateTime) → the credit / collections consumer's transaction began (the inbox row's
  `handled_at`) → that transaction committed;
- scale-out: the events per second one credit worker applies from a backlog on Kafka, against two
  credit workers (a second `platform_env` on the same schema and topic prefix: one consumer group,
  the partitions split between them); then the credit checks per second one credit API answers
  against two credit APIs on different ports over the same schema, the same two closed-loop load
  generators (`credit_bench`'s client) sending to one of them or one to each, alternated (one,
  two, one, two) so that a change in the machine's load weighs on both.

uv run python bench/platform_bench.py [--only memory|latency|scale-out] [--output results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import tempfile
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from credit_bench import Phase, http_get, run_phase
from harness import admin_dsn, percentiles, put_customers, rate, wait_for, write_results

from ar_shared.clock import SYSTEM_CLOCK
from ar_shared.events.ledger import InvoiceIssued
from ar_shared.testing.kafka import until_members
from ar_shared.testing.platform import ALL_SERVICES, Platform, platform_env, running_platform
from ar_shared.testing.stack import REPO_ROOT, Stack, local_stack
from ar_shared.worker import ensure_topics

TODAY = SYSTEM_CLOCK.now().date()  # the services run on the system clock
ENTITY = "PB01"
CREDIT_SEEN = "SELECT count(*) FROM credit.invoices"


# --- memory -----------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """`pid` and every process below it."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += parents.get(current, [])
    return found


def pss_bytes(pids: Iterable[int]) -> int:
    """Proportional set size of the processes (shared pages divided among their users)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue  # gone meanwhile
    return total


async def bench_memory(stack: Stack, local_dir: Path, unique: str) -> dict[str, Any]:
    infra = Path(os.environ.get("AR_LOCAL_DIR", REPO_ROOT / ".local"))
    kafka_pid = int((infra / "kafka" / "broker.pid").read_text().split()[0])
    postgres_pid = int((infra / "pgdata" / "postmaster.pid").read_text().split()[0])
    async with running_platform(stack, local_dir, unique):
        await asyncio.sleep(10)  # idle: started, topics made, first scheduled jobs done
        services: dict[str, int] = {}
        for service in ALL_SERVICES:
            supervisors = [
                int((local_dir / "run" / f"{service}-{kind}.pid").read_text()) for kind in ("api", "worker")
            ]
            services[service] = pss_bytes(p for s in supervisors for p in children(s))
        kafka, postgres = pss_bytes(children(kafka_pid)), pss_bytes(children(postgres_pid))
    total = kafka + postgres + sum(services.values())
    mib = 1024 * 1024
    return {
        "kafka_mib": round(kafka / mib),
        "postgresql_mib": round(postgres / mib),
        "services_mib": {s: round(b / mib) for s, b in services.items()},
        "total_mib": round(total / mib),
        "total_gib": round(total / mib / 1024, 2),
        "goal_gib": "<= 3",
        "met": total <= 3 * 1024 * mib,
    }


# --- latency ----------------------------------------------------------------------------------


async def add_customers(ledger: httpx.AsyncClient, count: int) -> list[str]:
    externals = [f"{ENTITY}-C{n}" for n in range(count)]
    await put_customers(ledger, externals, ENTITY)
    return externals


def bulk(externals: list[str], label: str, size: int) -> dict[str, Any]:
    return {
        "items": [
            {"customer_external_id": externals[n % len(externals)], "invoice_number": f"{label}-{n}",
             "issue_date": TODAY.isoformat(), "amount": {"amount": f"{100 + n % 900}.{n % 100:02d}", "currency": "EUR"}}
            for n in range(size)
        ]
    }  # fmt: skip


async def post_bulk(ledger: httpx.AsyncClient, body: dict[str, Any]) -> float:
    """Posts one bulk request; the time its commit was known (perf_counter)."""
    answer = await ledger.post("/v1/invoices/bulk", json=body)
    if answer.status_code != 201:
        raise RuntimeError(f"bulk import answered {answer.status_code}: {answer.text[:300]}")
    return time.perf_counter()


# Every latency is read from PostgreSQL's commit timestamps (`track_commit_timestamp`, on in
# deploy/postgres.sh): the ledger's transaction that wrote a request's invoices, and the credit and
# collections consumers' transactions that applied their events (each consumer's inbox row is
# written in the transaction that applies the event). One clock for all, and nothing polled while
# the requests run: watching for the effects every few milliseconds was a load of its own on 2
# cores, in the very database whose latency it measured.
ISSUED = InvoiceIssued.event_type()

# the invoices' events not yet applied by both consumers (an anti-join each: a few ms at 40,000)
UNAPPLIED = f"""
SELECT count(*) FROM ledger.outbox o
 WHERE o.event_type = '{ISSUED}'
   AND (NOT EXISTS (SELECT FROM credit.inbox ci WHERE ci.event_id = o.event_id)
        OR NOT EXISTS (SELECT FROM collections.inbox co WHERE co.event_id = o.event_id))
"""

# per fixed-rate request (its invoices' numbers start with L<request>-), the last of its events at
# each stage, wall-clock seconds: the ledger's commit; the relay's transaction that published it
# began (`published_at`); each consumer's transaction that applied it began (`handled_at`) and
# committed; and its events' ids (their Kafka append times are read from the topic)
COMMITS = rf"""
SELECT substring(i.invoice_number FROM '^L([0-9]+)-')::int AS request,
       extract(epoch FROM max(pg_xact_commit_timestamp(i.xmin)))::float8 AS committed,
       extract(epoch FROM max(o.published_at))::float8 AS relayed,
       extract(epoch FROM max(ci.handled_at))::float8 AS credit_began,
       extract(epoch FROM max(pg_xact_commit_timestamp(ci.xmin)))::float8 AS credit,
       extract(epoch FROM max(co.handled_at))::float8 AS collections_began,
       extract(epoch FROM max(pg_xact_commit_timestamp(co.xmin)))::float8 AS collections,
       array_agg(o.event_id::text) AS events
  FROM ledger.invoices i
  JOIN ledger.outbox o ON o.event_type = '{ISSUED}'
                      AND o.envelope->'data'->>'invoice_number' = i.invoice_number
  JOIN credit.inbox ci ON ci.event_id = o.event_id
  JOIN collections.inbox co ON co.event_id = o.event_id
 WHERE i.invoice_number ~ '^L[0-9]+-'
 GROUP BY 1
 ORDER BY 1
"""


async def until_applied(conn: asyncpg.Connection, timeout: float) -> None:
    """Until credit and collections have applied every invoice the ledger issued."""
    await wait_for(conn, UNAPPLIED, 0, timeout=timeout, every=0.2)


async def bench_latency(
    stack: Stack, local_dir: Path, unique: str, peak_requests: int, seconds: float
) -> dict[str, Any]:
    size = 100  # invoices per request at the fixed rate: a steady trickle, not a few large bursts
    async with running_platform(stack, local_dir, unique, ["ledger", "credit", "collections"]) as platform:
        conn = await asyncpg.connect(admin_dsn(platform.stack))
        try:
            if await conn.fetchval("SHOW track_commit_timestamp") != "on":
                raise SystemExit(
                    "the latency benchmark reads PostgreSQL's commit timestamps: restart the stack"
                    " (make down && make up) so that PostgreSQL runs with track_commit_timestamp=on"
                )
            async with platform.client("ledger", "ledger:write", "ledger:read") as ledger:
                externals = await add_customers(ledger, 200)
                # the ingestion peak: 1,000-invoice requests back to back, the workers running
                started = time.perf_counter()
                for r in range(peak_requests):
                    committed = await post_bulk(ledger, bulk(externals, f"P{r}", 1000))
                peak = rate(peak_requests * 1000, committed - started)
                await until_applied(conn, timeout=600)

                # 50 % of the peak, one request every `interval`
                interval = size / (peak * 0.5)
                requests = max(10, int(seconds / interval))
                begin = time.perf_counter()
                for i in range(requests):
                    await asyncio.sleep(max(0.0, begin + i * interval - time.perf_counter()))
                    await post_bulk(ledger, bulk(externals, f"L{i}", size))
                await until_applied(conn, timeout=600)
            rows = await conn.fetch(COMMITS)
            stages = await stage_breakdown(platform, rows)
        finally:
            await conn.close()
    if len(rows) != requests:
        raise RuntimeError(f"{len(rows)} of the {requests} requests were found applied")
    baseline = await kafka_baseline(stack, unique, requests, size, interval)
    per_request = {  # ms, each request's in order: does the chain keep pace as the run goes on?
        f"commit_to_{end}": [(r[end] - r["committed"]) * 1000 for r in rows]
        for end in ("relayed", "credit", "collections")
    }
    credit = percentiles(per_request["commit_to_credit"])
    collections = percentiles(per_request["commit_to_collections"])
    return {
        "ingestion_peak_invoices_per_second": round(peak),
        "rate_invoices_per_second": round(size / interval),
        "invoices_per_request": size,
        "requests": requests,
        "commit_to_credit_exposure_ms": credit,
        "commit_to_collections_projection_ms": collections,
        "kafka_produce_to_consume_ms": baseline,
        "stages_ms": stages,
        "per_request_ms": {k: [round(v) for v in values] for k, values in per_request.items()},
        "ratio_p99_credit": round(credit["p99"] / baseline["p99"], 1),
        "ratio_p99_collections": round(collections["p99"] / baseline["p99"], 1),
        "goal_p99_ms": "<= 100",
        "met": max(credit["p99"], collections["p99"]) <= 100,
    }


async def appended_times(platform: Platform) -> dict[str, float]:
    """When the ledger's relay appended each event to its producer batch (the Kafka record's
    CreateTime, wall-clock seconds), by event id: read back from the ledger's topic."""
    topic = f"{platform.topic_prefix}ledger.events"
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=platform.stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )  # no group: every partition, from the beginning
    await consumer.start()
    times: dict[str, float] = {}
    try:
        async with asyncio.timeout(60):
            while not consumer.assignment():  # noqa: ASYNC110 - aiokafka offers no event for it
                await asyncio.sleep(0.05)
        ends = await consumer.end_offsets(list(consumer.assignment()))
        async with asyncio.timeout(120):
            while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
                for records in (await consumer.getmany(timeout_ms=200, max_records=10_000)).values():
                    for record in records:
                        event_id = next((v for k, v in record.headers or () if k == "ce_id"), None)
                        if event_id is not None:
                            times[event_id.decode()] = record.timestamp / 1000
    finally:
        await consumer.stop()
    return times


async def stage_breakdown(platform: Platform, rows: list[asyncpg.Record]) -> dict[str, dict[str, float]]:
    """Where the time goes, per fixed-rate request (its last event at each stage), p50 / p99 of:
    the ledger's commit → the relay's pass began; → the event appended to the relay's Kafka batch;
    → each consumer's transaction began; → that transaction committed."""
    appended = await appended_times(platform)
    stages: dict[str, list[float]] = {
        "commit_to_relay_pass": [],
        "relay_pass_to_kafka_append": [],
        "kafka_append_to_credit_transaction": [],
        "credit_transaction": [],
        "kafka_append_to_collections_transaction": [],
        "collections_transaction": [],
    }
    for row in rows:
        kafka = max((appended[e] for e in row["events"] if e in appended), default=None)
        if kafka is None:
            continue
        stages["commit_to_relay_pass"].append(row["relayed"] - row["committed"])
        stages["relay_pass_to_kafka_append"].append(kafka - row["relayed"])
        stages["kafka_append_to_credit_transaction"].append(row["credit_began"] - kafka)
        stages["credit_transaction"].append(row["credit"] - row["credit_began"])
        stages["kafka_append_to_collections_transaction"].append(row["collections_began"] - kafka)
        stages["collections_transaction"].append(row["collections"] - row["collections_began"])
    return {k: percentiles([v * 1000 for v in values]) for k, values in stages.items()}


async def kafka_baseline(
    stack: Stack, unique: str, requests: int, size: int, interval: float
) -> dict[str, float]:
    """The same batches of messages (~600 bytes, keyed by customer) at the same rate, produced and
    consumed by plain aiokafka clients: the latency of the last message of each batch."""
    topic = f"pb{unique}.baseline"
    await ensure_topics(stack.kafka_bootstrap, [topic], 3)
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all", enable_idempotence=True)
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.kafka_bootstrap, group_id=f"pb{unique}", auto_offset_reset="earliest"
    )
    await producer.start()
    await consumer.start()
    latencies: list[float] = []
    try:
        await producer.send_and_wait(topic, b"warm-up", key=b"0")
        async with asyncio.timeout(60):
            while not await consumer.getmany(timeout_ms=200):
                continue
        sent: dict[int, float] = {}

        async def consume() -> None:
            while len(latencies) < requests:
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    now = time.perf_counter()
                    for record in records:
                        batch, last = json.loads(record.value or b"{}").get("batch"), record.key == b"last"
                        if last and batch in sent:
                            latencies.append((now - sent[batch]) * 1000)

        consuming = asyncio.create_task(consume())
        filler = "x" * 512
        begin = time.perf_counter()
        for i in range(requests):
            await asyncio.sleep(max(0.0, begin + i * interval - time.perf_counter()))
            sent[i] = time.perf_counter()
            for n in range(size):
                key = b"last" if n == size - 1 else str(n).encode()
                await producer.send(topic, json.dumps({"batch": i, "filler": filler}).encode(), key=key)
        await asyncio.wait_for(consuming, timeout=120)
    finally:
        await consumer.stop()
        await producer.stop()
    return percentiles(latencies)


# --- scale-out --------------------------------------------------------------------------------


async def drain_rate(conn: asyncpg.Connection, before: int, target: int) -> float:
    """Events per second credit applies, from the first of a backlog to `target`."""
    async with asyncio.timeout(1200):
        while True:
            first = await conn.fetchval(CREDIT_SEEN)
            if first != before:
                break
            await asyncio.sleep(0.01)
    started = time.perf_counter()
    done = await wait_for(conn, CREDIT_SEEN, target, timeout=1200, every=0.02)
    return rate(target - first, done - started)


async def drain(
    platform: Platform,
    conn: asyncpg.Connection,
    externals: list[str],
    label: str,
    invoices: int,
    workers: list[Platform],
) -> float:
    """Imports `invoices` while the ledger's relay is paused (SIGSTOP: its supervisor sees it
    running), starts the credit workers and waits until they share the partitions, then lets the
    relay publish: how fast the workers apply the backlog as it arrives."""
    relay = await platform.kill("ledger", "worker", signal.SIGSTOP)
    try:
        async with platform.client("ledger", "ledger:write") as ledger:
            for r in range(invoices // 1000):
                await post_bulk(ledger, bulk(externals, f"{label}{r}", 1000))
        await asyncio.gather(*(w.start("credit") for w in workers))
        await until_members(platform.stack.kafka_bootstrap, f"{platform.topic_prefix}ar-credit", len(workers))
    finally:
        os.kill(relay, signal.SIGCONT)
    before = await conn.fetchval(CREDIT_SEEN)
    return await drain_rate(conn, before, before + invoices // 1000 * 1000)


async def check_rate(ports: list[int], ids: list[str], token: str, seconds: float) -> tuple[float, int]:
    """Credit checks per second, closed loop, from two load-generator processes (`credit_bench`'s
    client, 8 keep-alive connections each) sending to `ports[0]` and `ports[-1]`: the same two
    clients whether one API serves them both or each has its own. Also the failed answers."""
    spawn = multiprocessing.get_context("spawn")
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        phases = [
            (port, Phase("checks", [http_get(port, f"/v1/credit-check?customer_id={i}&amount=100.00&currency=EUR", token) for i in ids], seconds, 8))
            for port in (ports[0], ports[-1])
        ]  # fmt: skip
        outcomes = await asyncio.gather(
            *(loop.run_in_executor(pool, run_phase, port, phase) for port, phase in phases)
        )
    completed, failed = sum(o.completed for o in outcomes), sum(o.failed for o in outcomes)
    return completed / max(o.elapsed for o in outcomes), failed


async def credit_api_scale_out(
    first: Platform, second: Platform, conn: asyncpg.Connection, seconds: float
) -> dict[str, Any]:
    """The credit check's throughput against one credit API, then against two (the second
    platform's, on another port, same schema), the same load split between them."""
    ids = [str(r["id"]) for r in await conn.fetch("SELECT id FROM credit.customers")]
    token = first.token("credit:check", subject="bench")
    ports = [first.ports["credit"], second.ports["credit"]]
    await check_rate(ports[:1], ids, token, 1)  # warm-up: connections, caches, prepared statements
    await check_rate(ports, ids, token, 1)
    # alternated, two rounds each: a change in the machine's load weighs on both alike
    rates: dict[int, list[float]] = {1: [], 2: []}
    failed = 0
    for apis in (1, 2, 1, 2):
        checks, failures = await check_rate(ports[:apis], ids, token, seconds / 2)
        rates[apis].append(checks)
        failed += failures
    one, two = (sum(rates[n]) / len(rates[n]) for n in (1, 2))
    return {
        "one_api_checks_per_second": round(one),
        "two_apis_checks_per_second": round(two),
        "ratio_two_to_one": round(two / one, 2),
        "rounds": {"one": [round(r) for r in rates[1]], "two": [round(r) for r in rates[2]]},
        "failed": failed,
        "seconds": seconds,
    }


async def bench_scale_out(
    stack: Stack, local_dir: Path, unique: str, invoices: int, api_seconds: float
) -> dict[str, Any]:
    async with running_platform(stack, local_dir / "one", unique, ["ledger", "credit"]) as first:
        second = platform_env(first.stack, local_dir / "two", first.topic_prefix, ["credit"])
        conn = await asyncpg.connect(admin_dsn(first.stack))
        try:
            async with first.client("ledger", "ledger:write") as ledger:
                externals = await add_customers(ledger, 200)
            await wait_for(conn, "SELECT count(*) FROM credit.customers", len(externals), timeout=120)
            await first.stop("credit")
            one = await drain(first, conn, externals, "ONE", invoices, [first])
            await first.stop("credit")
            await first.run("migrate", "credit")  # once: the two starts below would race to it
            try:
                two = await drain(first, conn, externals, "TWO", invoices, [first, second])
                by_worker = [await first.events_handled("credit"), await second.events_handled("credit")]
                api = await credit_api_scale_out(first, second, conn, api_seconds)
            finally:
                await second.run("stop", "credit")
        finally:
            await conn.close()
    return {
        "backlog_invoices": invoices,
        "one_worker_events_per_second": round(one),
        "two_workers_events_per_second": round(two),
        "ratio_two_to_one": round(two / one, 2),
        "events_handled_by_each_of_the_two": [round(n) for n in by_worker],
        "partitions": 3,
        "credit_api": api,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["memory", "latency", "scale-out"])
    parser.add_argument("--peak-requests", type=int, default=20, help="1,000-invoice requests for the peak")
    parser.add_argument("--seconds", type=float, default=30, help="length of the fixed-rate phase")
    parser.add_argument("--backlog", type=int, default=20_000, help="invoices credit drains in the scale-out")
    parser.add_argument(
        "--api-seconds", type=float, default=10, help="length of each credit-check phase of the scale-out"
    )
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with local_stack() as stack, tempfile.TemporaryDirectory(prefix="ar-platform-bench-") as tmp:
        local_dir = Path(tmp)
        if args.only in (None, "memory"):
            results["memory"] = await bench_memory(stack, local_dir / "memory", uuid.uuid4().hex[:8])
            print("memory", results["memory"], flush=True)
        if args.only in (None, "latency"):
            results["latency"] = await bench_latency(
                stack, local_dir / "latency", uuid.uuid4().hex[:8], args.peak_requests, args.seconds
            )
            print("latency", results["latency"], flush=True)
        if args.only in (None, "scale-out"):
            results["scale_out"] = await bench_scale_out(
                stack, local_dir / "scale-out", uuid.uuid4().hex[:8], args.backlog, args.api_seconds
            )
            print("scale-out", results["scale_out"], flush=True)
    write_results(args.output, results)


if __name__ == "__main__":
    asyncio.run(main())
