"""`deploy/services.sh` as an operator runs it: supervised processes, one service at a time.

Runs the credit service on ports of its own, with its pid files and logs in a temporary
directory and its topics under a unique prefix, so it disturbs neither `make up` nor other tests.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx
import pytest

from ar_shared.testing.platform import platform_env
from ar_shared.testing.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


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
    services = platform_env(stack, tmp_path, f"t{unique}.", ["credit"])
    worker_metrics = services.worker_metrics_ports["credit"]
    started = await services.run("start", "credit")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        first = await services.status("credit", "worker")
        assert (first.state, first.restarts, first.last_exit) == ("running", "0", "-")
        assert first.pid is not None
        assert await worker_backlog(worker_metrics) >= 0

        os.kill(first.pid, signal.SIGKILL)
        again = await services.replaced("credit", "worker", first.pid, timeout=30)
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
