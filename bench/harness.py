"""What every benchmark shares: a fresh database, a stopwatch, percentiles, and the services'
workers as processes; `bench/run_all.py` and each script use it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from alembic import command
from pydantic import SecretStr

from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as create_ledger_app
from ar_shared.testing.db import alembic_config
from ar_shared.testing.http import bearer
from ar_shared.testing.stack import REPO_ROOT, Stack, scratch_database


@asynccontextmanager
async def bench_database(
    stack: Stack, name: str, services: Iterable[str], keep: bool = False
) -> AsyncIterator[Stack]:
    """A fresh database `ar_<name>` provisioned like the stack's, with the schemas of `services`
    migrated; dropped afterwards unless `keep` (a benchmark never runs on data it did not make)."""
    async with scratch_database(replace(stack, database="ar"), name, keep) as bench:
        for service in services:
            # not `testing.db.migrate`: it migrates a URL once per process, and this one is new
            config = alembic_config(REPO_ROOT / "services" / service, bench.url(service, "owner"))
            await asyncio.to_thread(command.upgrade, config, "head")
        yield bench


@asynccontextmanager
async def ledger_in_process(bench: Stack) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The ledger API in this process on the benchmark's database, driven through
    `httpx.ASGITransport` (no network, no uvicorn), and a reader's and writer's headers."""
    settings = LedgerSettings(
        environment="test",
        log_level="WARNING",
        database_url=SecretStr(bench.url("ledger", "app")),
        kafka_bootstrap_servers=bench.kafka_bootstrap,
    )
    app = create_ledger_app(settings)
    headers = bearer(settings.auth, "ledger:write", "ledger:read", subject="bench")
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client,
    ):
        yield client, headers


async def put_customers(
    ledger: httpx.AsyncClient, external_ids: list[str], entity: str, headers: dict[str, str] | None = None
) -> None:
    """Customers in EUR on 30 days' terms, upserted by ERP id through the ledger API (so the
    other services hear of them)."""
    for external_id in external_ids:
        answer = await ledger.put(
            f"/v1/customers/external/{external_id}",
            json={
                "name": f"Customer {external_id}",
                "currency": "EUR",
                "payment_terms_days": 30,
                "business_entity": entity,
            },
            headers=headers,
        )
        if answer.status_code not in {200, 201}:
            raise RuntimeError(f"customer {external_id}: {answer.status_code} {answer.text[:300]}")


def admin_dsn(bench: Stack) -> str:
    """The superuser's asyncpg DSN of the benchmark's own database."""
    return bench.admin_url.replace("postgresql+asyncpg", "postgresql")


async def timed(run: Callable[[], Awaitable[Any]]) -> float:
    """Seconds `run` took."""
    started = time.perf_counter()
    await run()
    return time.perf_counter() - started


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def percentiles(values: list[float]) -> dict[str, float]:
    """p50 … max of latencies (ms); fewer than two values give that value for all."""
    if len(values) < 2:
        only = round(values[0], 2) if values else 0.0
        return dict.fromkeys(("p50", "p90", "p99", "p99.9", "max"), only)
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return {
        "p50": round(cuts[499], 2),
        "p90": round(cuts[899], 2),
        "p99": round(cuts[989], 2),
        "p99.9": round(cuts[998], 2),
        "max": round(max(values), 2),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_for(
    conn: asyncpg.Connection, query: str, until: Any, timeout: float, every: float = 0.05
) -> float:
    """Polls `query` until it returns `until`; the time it did (perf_counter)."""
    deadline = time.perf_counter() + timeout
    while True:
        value = await conn.fetchval(query)
        now = time.perf_counter()
        if value == until:
            return now
        if now > deadline:
            raise TimeoutError(f"{query!r} is {value}, not {until}, after {timeout:.0f} s")
        await asyncio.sleep(every)


class Worker:
    """A service's worker as its own process (`<service>.worker:main`), as `make up` runs it."""

    def __init__(self, service: str, bench: Stack, prefix: str, **settings: object) -> None:
        self.service = service
        upper = service.upper()
        self.env = os.environ | {
            f"{upper}_DATABASE_URL": bench.url(service, "app"),
            f"{upper}_KAFKA_BOOTSTRAP_SERVERS": bench.kafka_bootstrap,
            f"{upper}_KAFKA_TOPIC_PREFIX": prefix,
            f"{upper}_LOG_LEVEL": "WARNING",
        }
        self.env |= {f"{upper}_{name.upper()}": str(value) for name, value in settings.items() if value}
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", f"from ar_{self.service}.worker import main; main()", env=self.env
        )

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), timeout=30)
        self.process = None

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process.pid)


def write_results(path: Path | None, results: dict[str, Any]) -> None:
    """Prints the results as JSON, and writes them to `path` too (what `bench/run_all.py` reads)."""
    text = json.dumps(results, indent=2, default=str)
    print(text, flush=True)
    if path is not None:
        path.write_text(text)
