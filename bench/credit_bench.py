"""Credit-check benchmark: throughput against a trivial endpoint of the same server, and the
latency distribution at 70 % of the credit check's peak rate.

The credit service runs under uvicorn (one worker, uvloop + httptools, no access log) in a
subprocess. The load comes from another process: a small HTTP/1.1 client on raw asyncio
protocols over keep-alive connections, several times cheaper per request than httpx, so the
server and not the client sets the pace. With two CPUs or more the server is pinned to one CPU
and the load generator to another (PostgreSQL is left to the scheduler), as a load generator on
its own machine would be; `--no-pin` turns that off.

- peak: closed loop, `--concurrency` connections sending back to back, first for a trivial
  endpoint (`/health/live`: same server, same middleware, same request headers), then, for
  information, the cheapest authenticated route (`/v1/whoami`), then for the credit check; the
  ratio of the check to the trivial endpoint is the throughput goal;
- latency: open loop at 70 % of the check's peak, requests scheduled at fixed intervals and
  latency measured from each request's *scheduled* send time (as wrk2 does), so a stall that
  delays the requests behind it counts against them instead of being hidden (coordinated
  omission);
- mixed load (`--mixed`, as `make bench` runs it): from the authenticated peak on, another
  process runs the ledger API in-process importing bulk requests of 1,000 invoices back to back
  into the same PostgreSQL, the realistic case of orders checked while invoices arrive; the
  ledger's rate during each phase is reported beside the phase.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import os
import random
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx
import uvloop
from harness import (
    admin_dsn,
    bench_database,
    cpu_seconds,
    ledger_in_process,
    percentiles,
    put_customers,
    write_results,
)

from ar_credit.config import CreditSettings
from ar_shared.clock import SYSTEM_CLOCK
from ar_shared.testing.http import bearer
from ar_shared.testing.ports import unused_port
from ar_shared.testing.stack import Stack, local_stack

DATABASE = "bench_credit"


async def seed(bench: Stack, customers: int, invoices: int = 10) -> list[uuid.UUID]:
    conn = await asyncpg.connect(admin_dsn(bench))
    ids = [uuid.uuid4() for _ in range(customers)]
    await conn.copy_records_to_table(
        "customers", schema_name="credit",
        columns=["id", "external_id", "name", "currency", "business_entity", "time_zone"],
        records=[(i, f"B-{n}", f"Bench {n}", "EUR", "DE01", "UTC") for n, i in enumerate(ids)],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "exposures", schema_name="credit",
        columns=["customer_id", "currency", "open_ar_minor", "unapplied_cash_minor", "open_orders_minor"],
        records=[(i, "EUR", 500_000 + n, 10_000, 20_000) for n, i in enumerate(ids)],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "credit_profiles", schema_name="credit",
        columns=["customer_id", "currency", "limit_minor", "risk_class", "version", "updated_by"],
        records=[(i, "EUR", 1_000_000, "medium", 1, "bench") for i in ids],
    )  # fmt: skip
    await conn.execute(
        """
        INSERT INTO credit.invoices (id, customer_id, invoice_number, currency, amount_minor, open_minor, due_date)
        SELECT gen_random_uuid(), c.id, 'I-' || g, 'EUR', 10000, 10000, current_date - ((g - 1) % 60 + 1) * 7
        FROM credit.customers c, generate_series(1, $1) g
        """,
        invoices,
    )  # weekly due dates over 14 months: ten invoices have ten, a thousand sixty
    await conn.execute(
        """
        INSERT INTO credit.credit_holds (id, customer_id, source, reason_code, status, placed_by, version)
        SELECT gen_random_uuid(), id, 'manual', 'other', 'active', 'bench', 1 FROM credit.customers
        WHERE abs(hashtext(id::text)) % 10 = 0
        """
    )
    # the entity's calendar as the ledger announces it: the check resolves the business date from it
    await conn.execute(
        "INSERT INTO credit.business_calendars (business_entity, time_zone, mode, business_date)"
        " VALUES ('DE01', 'Europe/Berlin', 'calendar', current_date)"
    )
    await conn.execute("ANALYZE")
    await conn.close()
    return ids


# --- load generator (runs in its own process) -------------------------------------------------


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection with at most one request in flight (no pipelining)."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        head_end = self._buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        length = None
        for line in bytes(self._buffer[:head_end]).split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            self._fail(ConnectionError("response without Content-Length"))
            return
        end = head_end + 4 + length
        if len(self._buffer) < end:
            return
        status = int(self._buffer[9:12])
        del self._buffer[:end]
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionError("the server closed the connection"))

    def _fail(self, exc: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    async def request(self, raw: bytes) -> int:
        """Sends one request and waits for the whole response; its status code."""
        assert self._transport is not None
        assert self._waiter is None
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(raw)
        return await self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


@dataclass(frozen=True)
class Phase:
    name: str
    requests: list[bytes]  # each request picks one of these at random
    seconds: float
    connections: int
    rate: float | None = None  # requests per second (open loop); None: closed loop, back to back


@dataclass
class Outcome:
    name: str
    completed: int = 0
    failed: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds the load generator used
    latency_ms: list[float] = field(default_factory=list)  # from the scheduled send time
    send_lag_ms: list[float] = field(default_factory=list)  # scheduled -> actually written

    @property
    def rate(self) -> float:
        return self.completed / self.elapsed


def pin_to(cpus: set[int] | None) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)


def run_phase(port: int, phase: Phase) -> Outcome:
    """Entry point in the load-generator process."""
    started_cpu = time.process_time()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        outcome = runner.run(_run_phase(port, phase))
    outcome.client_cpu = time.process_time() - started_cpu
    return outcome


async def _run_phase(port: int, phase: Phase) -> Outcome:
    loop = asyncio.get_running_loop()
    connections = [
        (await loop.create_connection(Connection, "127.0.0.1", port))[1] for _ in range(phase.connections)
    ]
    outcome = Outcome(phase.name)
    choose = random.Random(42).choice
    started = time.perf_counter()
    stop = started + phase.seconds
    if phase.rate is None:

        async def back_to_back(connection: Connection) -> None:
            while (sent := time.perf_counter()) < stop:
                status = await connection.request(choose(phase.requests))
                _record(outcome, status, sent, sent)

        await asyncio.gather(*(back_to_back(c) for c in connections))
    else:
        # One shared schedule: request n is due at started + n / rate, sent on whichever
        # connection is free; when none is, it waits, and that wait is part of its latency.
        due = itertools.count()
        interval = 1 / phase.rate
        total = int(phase.rate * phase.seconds)

        async def on_schedule(connection: Connection) -> None:
            while (n := next(due)) < total:
                scheduled = started + n * interval
                # a timer, not a condition: the loop's timers may fire a little early, and a
                # request is never sent before its scheduled time
                while (delay := scheduled - time.perf_counter()) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(delay)
                sent = time.perf_counter()
                status = await connection.request(choose(phase.requests))
                _record(outcome, status, scheduled, sent)

        await asyncio.gather(*(on_schedule(c) for c in connections))
    outcome.elapsed = time.perf_counter() - started
    for c in connections:
        c.close()
    return outcome


def _record(outcome: Outcome, status: int, scheduled: float, sent: float) -> None:
    if status != 200:
        outcome.failed += 1
        return
    outcome.completed += 1
    outcome.latency_ms.append((time.perf_counter() - scheduled) * 1000)
    outcome.send_lag_ms.append((sent - scheduled) * 1000)


# --- orchestration -----------------------------------------------------------------------------


def http_get(port: int, path: str, token: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--invoices", type=int, default=10, help="open invoices per customer")
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured phase")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--load", type=float, default=0.7, help="open-loop rate as a fraction of peak")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and client to CPUs")
    parser.add_argument(
        "--mixed", action="store_true", help="the ledger ingests bulk imports during the measured phases"
    )
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--database",
        default=DATABASE,
        help="suffix of the scratch database (runs side by side need their own)",
    )
    args = parser.parse_args()
    with local_stack() as stack:
        services = ["credit", "ledger"] if args.mixed else ["credit"]
        async with bench_database(stack, args.database, services) as bench:
            ids = await seed(bench, args.customers, args.invoices)
            write_results(args.output, await run_phases(args, bench, ids))


async def run_phases(args: argparse.Namespace, bench: Stack, ids: list[uuid.UUID]) -> dict[str, Any]:
    cpus = sorted(os.sched_getaffinity(0))
    pinned = not args.no_pin and len(cpus) >= 2
    server_cpus = {cpus[-1]} if pinned else None
    client_cpus = set(cpus[:-1]) if pinned else None
    port = unused_port()
    env = os.environ | {
        "CREDIT_DATABASE_URL": bench.url("credit", "app"),
        "CREDIT_KAFKA_BOOTSTRAP_SERVERS": bench.kafka_bootstrap,
        "CREDIT_LOG_LEVEL": "WARNING",
        "CREDIT_DB_POOL_SIZE": "20",
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "ar_credit.main:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
        env=env,
        preexec_fn=(lambda: pin_to(server_cpus)) if pinned else None,
    )  # fmt: skip
    token = bearer(CreditSettings().auth, "credit:check", subject="bench")["Authorization"].split()[1]
    trivial_requests = [http_get(port, "/health/live", token)]
    whoami_requests = [http_get(port, "/v1/whoami", token)]
    check_requests = [
        http_get(port, f"/v1/credit-check?customer_id={i}&amount=100.00&currency=EUR", token) for i in ids
    ]
    spawn = multiprocessing.get_context("spawn")
    loop = asyncio.get_running_loop()
    ingested = spawn.Value("q", 0)
    stop_ingesting = spawn.Event()
    ingestion = (
        spawn.Process(
            target=ingest_bulk,
            args=(bench, ingested, stop_ingesting),
        )
        if args.mixed
        else None
    )
    try:
        await wait_until_live(port)
        with ProcessPoolExecutor(1, mp_context=spawn, initializer=pin_to, initargs=(client_cpus,)) as pool:
            ingesting: dict[str, float] = {}

            async def measure(phase: Phase) -> tuple[Outcome, float]:
                """The outcome and the server's CPU utilisation during the phase."""
                cpu_before, ingested_before = cpu_seconds(server.pid), ingested.value
                outcome = await loop.run_in_executor(pool, run_phase, port, phase)
                if outcome.failed:
                    raise RuntimeError(f"{phase.name}: {outcome.failed} requests did not answer 200")
                ingesting[phase.name] = (ingested.value - ingested_before) / outcome.elapsed
                return outcome, (cpu_seconds(server.pid) - cpu_before) / outcome.elapsed

            c = args.concurrency
            await measure(Phase("warm-up trivial", trivial_requests, 2, c))
            await measure(Phase("warm-up check", check_requests, 3, c))
            trivial, trivial_cpu = await measure(Phase("trivial peak", trivial_requests, args.seconds, c))
            if ingestion is not None:
                ingestion.start()
                async with asyncio.timeout(120):
                    while True:  # until the ledger is up and its first import committed
                        if ingested.value:
                            break
                        await asyncio.sleep(0.2)
            whoami, _ = await measure(Phase("authenticated trivial peak", whoami_requests, args.seconds, c))
            checks, checks_cpu = await measure(Phase("check peak", check_requests, args.seconds, c))
            target = checks.rate * args.load
            fixed, fixed_cpu = await measure(
                Phase("check fixed rate", check_requests, args.seconds, c, target)
            )
        result = report(
            args, pinned, server_cpus, client_cpus, trivial, trivial_cpu, whoami, checks, checks_cpu, fixed,
            fixed_cpu,
        )  # fmt: skip
        if ingestion is not None:
            result["mixed_load"] = {
                "ledger_bulk_invoices_per_second_during_whoami_peak": round(
                    ingesting["authenticated trivial peak"]
                ),
                "ledger_bulk_invoices_per_second_during_check_peak": round(ingesting["check peak"]),
                "ledger_bulk_invoices_per_second_during_fixed_rate": round(ingesting["check fixed rate"]),
            }
        return result
    finally:
        if ingestion is not None and ingestion.is_alive():
            stop_ingesting.set()
            await asyncio.to_thread(ingestion.join, 60)
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=10)


# --- the mixed load: the ledger's bulk ingestion beside the credit checks -------------------------


def ingest_bulk(bench: Stack, ingested: Synchronized[int], stop: EventType) -> None:
    """The ledger API (in-process, as bench/ledger_bench.py drives it) importing bulk requests of
    1,000 invoices back to back until `stop`; `ingested` counts the invoices committed."""
    asyncio.run(_ingest_bulk(bench, ingested, stop))


async def _ingest_bulk(bench: Stack, ingested: Synchronized[int], stop: EventType) -> None:
    externals = [f"MIX-{n}" for n in range(100)]
    today = SYSTEM_CLOCK.now().date().isoformat()
    async with ledger_in_process(bench) as (client, headers):
        await put_customers(client, externals, "MIX", headers)
        for r in itertools.count():
            if stop.is_set():
                return
            items = [
                {"customer_external_id": externals[n % len(externals)], "invoice_number": f"MIX-{r}-{n}",
                 "issue_date": today, "amount": {"amount": f"{100 + n % 900}.00", "currency": "EUR"}}
                for n in range(1000)
            ]  # fmt: skip
            answer = await client.post("/v1/invoices/bulk", json={"items": items}, headers=headers)
            answer.raise_for_status()
            with ingested.get_lock():
                ingested.value += len(items)


async def wait_until_live(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client, asyncio.timeout(30):
        while True:
            try:
                if (await client.get("/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.2)


def report(
    args: argparse.Namespace,
    pinned: bool,
    server_cpus: set[int] | None,
    client_cpus: set[int] | None,
    trivial: Outcome,
    trivial_cpu: float,
    whoami: Outcome,
    checks: Outcome,
    checks_cpu: float,
    fixed: Outcome,
    fixed_cpu: float,
) -> dict[str, Any]:
    latency = percentiles(fixed.latency_ms)
    ratio = checks.rate / trivial.rate
    result = {
        "setup": {
            "connections": args.concurrency,
            "server_cpus": sorted(server_cpus) if server_cpus else "any",
            "client_cpus": sorted(client_cpus) if client_cpus else "any",
            "pinned": pinned,
        },
        "trivial_peak": {
            "rps": round(trivial.rate),
            "server_cpu": round(trivial_cpu, 2),
            "client_cpu": round(trivial.client_cpu / trivial.elapsed, 2),
        },
        "check_peak": {
            "rps": round(checks.rate),
            "server_cpu": round(checks_cpu, 2),
            "client_cpu": round(checks.client_cpu / checks.elapsed, 2),
            "latency_ms": percentiles(checks.latency_ms),
        },
        "ratio": round(ratio, 3),
        "goal_ratio": ">= 0.5",
        # for information: the same server's cheapest authenticated route (token check, no database)
        "authenticated_trivial_peak_rps": round(whoami.rate),
        "ratio_to_authenticated_trivial": round(checks.rate / whoami.rate, 3),
        "ratio_met": ratio >= 0.5,
        "check_fixed_rate": {
            "target_rps": round(checks.rate * args.load),
            "achieved_rps": round(fixed.rate),
            "server_cpu": round(fixed_cpu, 2),
            "client_cpu": round(fixed.client_cpu / fixed.elapsed, 2),
            "latency_ms": latency,
            "send_lag_ms": percentiles(fixed.send_lag_ms),
        },
        "goal_p99_ms": "<= 10",
        "p99_met": latency["p99"] <= 10,
    }
    return result


if __name__ == "__main__":
    asyncio.run(main())
