"""`deploy/services.sh` as an operator runs it: supervised processes, one service at a time.

Runs the credit service on ports of its own, with its pid files and logs in a temporary
directory and its topics under a unique prefix, so it disturbs neither `make up` nor other tests.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ar_shared.testing.ports import unused_port
from ar_shared.testing.stack import REPO_ROOT, Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SERVICES_SH = REPO_ROOT / "deploy" / "services.sh"


@dataclass(frozen=True)
class Process:
    state: str
    pid: int | None
    restarts: str
    last_exit: str


class Services:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    async def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(
            subprocess.run,
            [str(SERVICES_SH), *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    async def status(self, service: str, process: str) -> Process:
        listing = await self.run("status", service)
        for line in listing.stdout.splitlines():
            name, kind, state, pid, restarts, last_exit = line.split(maxsplit=5)
            if (name, kind) == (service, process):
                return Process(state, None if pid == "-" else int(pid), restarts, last_exit)
        raise AssertionError(f"no {service} {process} in:\n{listing.stdout}{listing.stderr}")

    async def worker_replacing(self, pid: int) -> Process:
        """The credit worker once a process other than `pid` runs it."""
        async with asyncio.timeout(30):
            while True:
                worker = await self.status("credit", "worker")
                if worker.state == "running" and worker.pid != pid:
                    return worker
                await asyncio.sleep(0.25)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def worker_backlog(port: int) -> float:
    """The worker's `ar_outbox_backlog` once its metrics port answers with one (it measures every 5 s)."""
    series = 'ar_outbox_backlog{schema="credit"} '
    async with httpx.AsyncClient() as client, asyncio.timeout(30):
        while True:
            try:
                text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            except httpx.TransportError:
                text = ""
            for line in text.splitlines():
                if line.startswith(series):
                    return float(line.removeprefix(series))
            await asyncio.sleep(0.25)


async def test_a_killed_worker_is_restarted_and_one_service_restarts_without_migrating(
    stack: Stack, all_schemas: None, tmp_path: Path, unique: str
) -> None:
    worker_metrics = unused_port()
    services = Services(
        {
            # no ~/.local/bin on PATH: the scripts must find what they need on their own
            "PATH": "/usr/bin:/bin",
            "HOME": os.environ.get("HOME", "/root"),
            "AR_LOCAL_DIR": str(tmp_path),
            "AR_PG_HOST": stack.pg_host,
            "AR_PG_PORT": str(stack.pg_port),
            "AR_PG_DATABASE": stack.database,
            "AR_CREDIT_PORT": str(unused_port()),
            "CREDIT_WORKER_METRICS_PORT": str(worker_metrics),
            "CREDIT_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
            "CREDIT_KAFKA_TOPIC_PREFIX": f"t{unique}.",
            "CREDIT_ENVIRONMENT": "test",
        }
    )
    started = await services.run("start", "credit")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        first = await services.status("credit", "worker")
        assert (first.state, first.restarts, first.last_exit) == ("running", "0", "-")
        assert first.pid is not None
        assert await worker_backlog(worker_metrics) >= 0

        os.kill(first.pid, signal.SIGKILL)
        again = await services.worker_replacing(first.pid)
        assert again.restarts == "1"
        assert again.last_exit.startswith("killed by SIGKILL")
        assert await worker_backlog(worker_metrics) >= 0

        # a migration would fail with this URL: the restart does not run one
        restarted = await services.run(
            "restart",
            "credit",
            env={"CREDIT_MIGRATION_DATABASE_URL": "postgresql+asyncpg://nobody:nothing@127.0.0.1:1/nowhere"},
        )
        assert restarted.returncode == 0, restarted.stdout + restarted.stderr
        fresh = await services.status("credit", "worker")
        assert fresh.state == "running"
        assert fresh.pid not in (None, first.pid, again.pid)
        assert again.pid is not None
        assert not alive(again.pid)
    finally:
        stopped = await services.run("stop", "credit")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    for kind in ("api", "worker"):
        assert (await services.status("credit", kind)).state == "stopped"
    assert fresh.pid is not None
    assert not alive(fresh.pid)
