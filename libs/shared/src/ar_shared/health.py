"""Readiness of an API: the database decides whether it serves; Kafka's state is reported apart."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Literal

from aiokafka.admin import AIOKafkaAdminClient
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CheckState = Literal["ok", "down"]


class Readiness(BaseModel):
    """What `/health/ready` answers, with 200 or 503."""

    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="`ok`: every dependency answers; `degraded`: the API serves, but a dependency "
        "named in `degraded` is down; `unavailable` (503): the database does not answer",
        examples=["degraded"],
    )
    checks: dict[str, CheckState] = Field(
        description="Each dependency and whether it answered", examples=[{"database": "ok", "kafka": "down"}]
    )
    degraded: list[str] = Field(
        description="Dependencies that are down without stopping the API: with `kafka` down, writes "
        "still succeed and their events wait in the outbox (see the `ar_outbox_backlog` metric)",
        examples=[["kafka"]],
    )


async def readiness(engine: AsyncEngine, kafka: KafkaProbe) -> Readiness:
    # The API needs only its database to serve: every write puts its events in the outbox, which
    # the worker's relay publishes once Kafka is back. Turning traffic away while Kafka is down
    # would refuse writes that would have succeeded.
    database_ok, kafka_ok = await asyncio.gather(database_answers(engine), kafka.ready())
    checks: dict[str, CheckState] = {
        "database": "ok" if database_ok else "down",
        "kafka": "ok" if kafka_ok else "down",
    }
    degraded = [] if kafka_ok else ["kafka"]
    status: Literal["ok", "degraded", "unavailable"] = (
        "unavailable" if not database_ok else "degraded" if degraded else "ok"
    )
    return Readiness(status=status, checks=checks, degraded=degraded)


async def database_answers(engine: AsyncEngine) -> bool:
    try:
        async with asyncio.timeout(3), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


class KafkaProbe:
    """Whether the broker answers, checked at most every `ttl_seconds`.

    A probe waits for a fresh check at most `answer_within` seconds and otherwise answers with the
    last known state while the check carries on: a broker that stops answering (rather than
    refusing connections) must not make readiness itself slower than a load balancer's timeout.
    """

    def __init__(self, bootstrap_servers: str, ttl_seconds: float = 2.0, answer_within: float = 0.8) -> None:
        self._bootstrap = bootstrap_servers
        self._ttl = ttl_seconds
        self._answer_within = answer_within
        self._check: asyncio.Task[bool] | None = None
        self._checked_at = 0.0
        self._ok: bool | None = None  # None: never checked yet

    async def ready(self) -> bool:
        if self._check is None or (self._check.done() and time.monotonic() - self._checked_at >= self._ttl):
            self._check = asyncio.create_task(self._broker_answers(), name="kafka-readiness-check")
        if self._check.done() or self._ok is None:  # the very first check is always awaited
            return await self._check
        try:
            return await asyncio.wait_for(asyncio.shield(self._check), timeout=self._answer_within)
        except TimeoutError:
            return self._ok

    async def close(self) -> None:
        if self._check is not None and not self._check.done():
            self._check.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._check

    async def _broker_answers(self) -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, request_timeout_ms=2000)
        try:
            async with asyncio.timeout(3):
                await admin.start()
                await admin.describe_cluster()
            ok = True
        except Exception:
            ok = False
        finally:
            await admin.close()
        self._ok = ok
        self._checked_at = time.monotonic()
        return ok
