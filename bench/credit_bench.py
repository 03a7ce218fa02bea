"""Credit-check benchmark: throughput against a trivial endpoint of the same server, and the
99th-percentile latency at 70 % of the credit check's peak rate.

The credit service runs under uvicorn (one worker) in a subprocess; the load comes from an
asyncio client with keep-alive connections on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import sys
import time
import uuid
from typing import Any

import asyncpg
import httpx
from alembic import command

from ar_credit.config import CreditSettings
from ar_shared.provisioning import provisioning_sql
from ar_shared.testing.db import alembic_config
from ar_shared.testing.http import bearer
from ar_shared.testing.stack import REPO_ROOT, Stack, local_stack

DATABASE = "ar_bench_credit"


def admin_dsn(stack: Stack, database: str) -> str:
    return stack.admin_url.replace("postgresql+asyncpg", "postgresql").replace(
        f"/{stack.database}", f"/{database}", 1
    )


async def prepare(stack: Stack, customers: int) -> list[uuid.UUID]:
    admin = await asyncpg.connect(admin_dsn(stack, "postgres"))
    await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    await admin.close()
    conn = await asyncpg.connect(admin_dsn(stack, DATABASE))
    for statement in provisioning_sql(DATABASE):
        await conn.execute(statement)
    bench = Stack(stack.pg_host, stack.pg_port, DATABASE, stack.admin_url, stack.kafka_bootstrap, stack.kind)
    await asyncio.to_thread(
        command.upgrade,
        alembic_config(REPO_ROOT / "services" / "credit", bench.url("credit", "owner")),
        "head",
    )
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
        SELECT gen_random_uuid(), c.id, 'I-' || g, 'EUR', 10000, 10000, current_date - (g * 7)
        FROM credit.customers c, generate_series(1, 10) g
        """
    )
    await conn.execute(
        """
        INSERT INTO credit.credit_holds (id, customer_id, source, reason_code, status, placed_by, version)
        SELECT gen_random_uuid(), id, 'manual', 'other', 'active', 'bench', 1 FROM credit.customers
        WHERE abs(hashtext(id::text)) % 10 = 0
        """
    )
    await conn.execute("ANALYZE")
    await conn.close()
    return ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def closed_loop(client: httpx.AsyncClient, make_url: Any, seconds: float, concurrency: int) -> float:
    """Requests per second with `concurrency` callers back to back."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def caller() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            response = await client.get(make_url())
            assert response.status_code == 200, response.text[:200]
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


async def open_loop(client: httpx.AsyncClient, make_url: Any, rate: float, seconds: float) -> list[float]:
    """Latencies (ms) of requests sent at a fixed rate, whatever the answers' pace."""
    latencies: list[float] = []

    async def one() -> None:
        started = time.perf_counter()
        response = await client.get(make_url())
        assert response.status_code == 200
        latencies.append((time.perf_counter() - started) * 1000)

    tasks = []
    interval = 1 / rate
    start = time.perf_counter()
    n = 0
    while (now := time.perf_counter()) - start < seconds:
        target = start + n * interval
        if now < target:
            await asyncio.sleep(target - now)
        tasks.append(asyncio.create_task(one()))
        n += 1
    await asyncio.gather(*tasks)
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with local_stack() as stack:
        ids = await prepare(stack, args.customers)
        port = free_port()
        bench = Stack(
            stack.pg_host, stack.pg_port, DATABASE, stack.admin_url, stack.kafka_bootstrap, stack.kind
        )
        env = os.environ | {
            "CREDIT_DATABASE_URL": bench.url("credit", "app"),
            "CREDIT_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
            "CREDIT_LOG_LEVEL": "WARNING",
            "CREDIT_DB_POOL_SIZE": "20",
        }
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "uvicorn", "ar_credit.main:create_app", "--factory", "--host", "127.0.0.1",
            "--port", str(port), "--no-access-log", "--log-level", "warning",
            env=env,
        )  # fmt: skip
        headers = bearer(CreditSettings().auth, "credit:check", subject="bench")
        base = f"http://127.0.0.1:{port}"
        try:
            limits = httpx.Limits(
                max_connections=args.concurrency, max_keepalive_connections=args.concurrency
            )
            async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
                async with asyncio.timeout(30):
                    while True:
                        try:
                            if (await client.get("/health/live")).status_code == 200:
                                break
                        except httpx.TransportError:
                            await asyncio.sleep(0.2)

                def check_url() -> str:
                    return f"/v1/credit-check?customer_id={random.choice(ids)}&amount=100.00&currency=EUR"

                await closed_loop(client, check_url, 2, args.concurrency)  # warm up
                trivial = await closed_loop(client, lambda: "/health/live", args.seconds, args.concurrency)
                checks = await closed_loop(client, check_url, args.seconds, args.concurrency)
                latencies = await open_loop(client, check_url, checks * 0.7, args.seconds)
            p50 = statistics.median(latencies)
            p99 = statistics.quantiles(latencies, n=100)[98]
            print(
                {
                    "trivial_rps": round(trivial),
                    "credit_check_rps": round(checks),
                    "ratio": round(checks / trivial, 3),
                    "goal_ratio": ">= 0.5",
                    "rate_at_70_percent": round(checks * 0.7),
                    "p50_ms": round(p50, 2),
                    "p99_ms": round(p99, 2),
                    "goal_p99_ms": "<= 10",
                }
            )
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=10)
            admin = await asyncpg.connect(admin_dsn(stack, "postgres"))
            await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
