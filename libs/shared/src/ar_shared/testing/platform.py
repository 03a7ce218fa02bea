"""The platform as an operator runs it, for whole-platform tests, the demo's test and benchmarks.

`deploy/services.sh` starts each service's API and worker as supervised processes, exactly as
`make up` does, but on ports of their own, with pid files and logs in a directory of their own,
topics under a unique prefix and (with `running_platform`) a database of their own: a test can
kill, restart and count without disturbing `make up` or the other tests.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ar_shared.auth import AuthSettings
from ar_shared.auth.tokens import mint_token
from ar_shared.testing.ports import unused_port
from ar_shared.testing.stack import REPO_ROOT, Stack, scratch_database

SERVICES_SH = REPO_ROOT / "deploy" / "services.sh"
ALL_SERVICES = ("ledger", "credit", "collections", "notifications")


@dataclass(frozen=True)
class Process:
    """One line of `deploy/services.sh status`."""

    state: str
    pid: int | None
    restarts: str
    last_exit: str


@dataclass
class Platform:
    """Services started by `deploy/services.sh` with the settings in `env`."""

    env: dict[str, str]
    ports: dict[str, int]
    worker_metrics_ports: dict[str, int]
    local_dir: Path
    topic_prefix: str
    stack: Stack
    auth: AuthSettings = field(default_factory=AuthSettings)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def token(self, *scopes: str, subject: str = "platform-test") -> str:
        # the services run on the system clock: the token must be valid by the wall clock
        return mint_token(self.auth, subject, list(scopes) or ["admin"])

    def client(self, service: str, *scopes: str, subject: str = "platform-test") -> httpx.AsyncClient:
        """A client of one service's API with a bearer token (admin unless scopes are named)."""
        return httpx.AsyncClient(
            base_url=self.url(service),
            headers={"Authorization": f"Bearer {self.token(*scopes, subject=subject)}"},
            timeout=30,
        )

    async def run(self, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(
            subprocess.run,
            [str(SERVICES_SH), *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    async def _must(self, command: str, *services: str) -> None:
        done = await self.run(command, *services)
        if done.returncode != 0:
            named = " ".join(services) or "(all)"
            raise RuntimeError(f"services.sh {command} {named} failed:\n{done.stdout}{done.stderr}")

    async def start(self, *services: str) -> None:
        """Migrates and starts them (all four when none is named); returns once their APIs are ready."""
        await self._must("start", *services)

    async def restart(self, *services: str) -> None:
        await self._must("restart", *services)

    async def stop(self, *services: str) -> None:
        await self._must("stop", *services)

    async def status(self, service: str, process: str) -> Process:
        listing = await self.run("status", service)
        for line in listing.stdout.splitlines():
            name, kind, state, pid, restarts, last_exit = line.split(maxsplit=5)
            if (name, kind) == (service, process):
                return Process(state, None if pid == "-" else int(pid), restarts, last_exit)
        raise AssertionError(f"no {service} {process} in:\n{listing.stdout}{listing.stderr}")

    async def kill(self, service: str, process: str, sig: signal.Signals = signal.SIGKILL) -> int:
        """Sends `sig` to the running API or worker (not its supervisor); returns the pid killed."""
        running = await self.status(service, process)
        if running.pid is None:
            raise AssertionError(f"{service} {process} is not running: {running}")
        os.kill(running.pid, sig)
        return running.pid

    async def replaced(self, service: str, process: str, pid: int, timeout: float = 60) -> Process:
        """The process once its supervisor runs one other than `pid`."""
        async with asyncio.timeout(timeout):
            while True:
                now = await self.status(service, process)
                if now.state == "running" and now.pid not in (None, pid):
                    return now
                await asyncio.sleep(0.25)

    async def ready(self, *services: str, timeout: float = 60) -> None:
        """Each API answers /health/ready with 200 (after a kill, once its supervisor restarted it)."""
        async with httpx.AsyncClient(timeout=5) as client, asyncio.timeout(timeout):
            for service in services or ALL_SERVICES:
                while True:
                    try:
                        if (await client.get(f"{self.url(service)}/health/ready")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.25)

    async def events_handled(self, service: str) -> float:
        """Events the service's worker applied since it started (its `ar_events_consumed_total`
        with outcome `handled`: not duplicates, ignored types or dead letters)."""
        async with httpx.AsyncClient(timeout=5) as client:
            metrics = await client.get(f"http://127.0.0.1:{self.worker_metrics_ports[service]}/metrics")
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.text.splitlines()
            if line.startswith("ar_events_consumed_total{") and 'outcome="handled"' in line
        )

    def log(self, service: str, process: str) -> str:
        path = self.local_dir / "log" / f"{service}-{process}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def platform_env(
    stack: Stack, local_dir: Path, topic_prefix: str, services: Iterable[str] = ALL_SERVICES
) -> Platform:
    """The settings that run `services` on unused ports against `stack`, without starting them."""
    ports = {s: unused_port() for s in services}
    metrics = {s: unused_port() for s in services}
    env = {
        # no ~/.local/bin on PATH: the scripts must find what they need on their own
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "AR_LOCAL_DIR": str(local_dir),
        "AR_PG_HOST": stack.pg_host,
        "AR_PG_PORT": str(stack.pg_port),
        "AR_PG_DATABASE": stack.database,
        "AR_KAFKA_PORT": stack.kafka_bootstrap.rsplit(":", 1)[1],
        # a stopped process gets 5 s, not 20: tests kill and restart often
        "AR_STOP_GRACE_SECONDS": "5",
    }
    for service in services:
        prefix = service.upper()
        env[f"AR_{prefix}_PORT"] = str(ports[service])
        env[f"{prefix}_WORKER_METRICS_PORT"] = str(metrics[service])
        env[f"{prefix}_KAFKA_BOOTSTRAP_SERVERS"] = stack.kafka_bootstrap
        env[f"{prefix}_KAFKA_TOPIC_PREFIX"] = topic_prefix
        env[f"{prefix}_ENVIRONMENT"] = "test"
    return Platform(env, ports, metrics, local_dir, topic_prefix, stack)


@asynccontextmanager
async def running_platform(
    stack: Stack,
    local_dir: Path,
    unique: str,
    services: Iterable[str] = ALL_SERVICES,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[Platform]:
    """The services running on a database of their own (dropped afterwards) and topics of their own.

    `env` adds or overrides settings (e.g. `NOTIFICATIONS_SMTP_PORT` of a test's SMTP server).
    Everything is stopped on the way out, whatever the test did to the processes.
    """
    chosen = tuple(services)
    async with scratch_database(stack, f"p{unique}") as own:
        platform = platform_env(own, local_dir, f"p{unique}.", chosen)
        platform.env.update(env or {})
        try:
            await platform.start(*chosen)
            yield platform
        finally:
            await platform.run("stop", *chosen)
