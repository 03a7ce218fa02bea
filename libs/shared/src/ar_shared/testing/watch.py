"""What a whole-platform test watches: a state reached before a deadline (`eventually`) and every
event published under a topic prefix, read as it arrives (`reading_events`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer

T = TypeVar("T")
TOPICS = ("ledger.events", "credit.events", "collections.events", "notifications.events")


async def eventually(
    what: str, probe: Callable[[], Awaitable[T]], until: Callable[[T], bool], timeout: float = 60.0
) -> T:
    """`probe()` once `until` holds for it; fails after `timeout` s saying what was last seen."""
    deadline = time.monotonic() + timeout
    while True:
        seen = await probe()
        if until(seen):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s; last seen: {seen!r}")
        await asyncio.sleep(0.2)


@dataclass
class EventLog:
    """Every event the platform published under its topic prefix, read as it arrives."""

    prefix: str
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failure: BaseException | None = None  # why the reader stopped, if it did

    def of(self, topic: str, key: str, kind: str | None = None) -> list[dict[str, Any]]:
        """Events of `key` on `topic` (of one type, by its short name, when `kind` is given), in order."""
        if self.failure is not None:  # say so, rather than wait for events that cannot come
            raise AssertionError(f"the event reader stopped: {self.failure!r}") from self.failure
        return [
            e
            for t, e in self.events
            if t == self.prefix + topic
            and e["subject"] == key
            and (kind is None or e["type"].split(".")[2] == kind)
        ]

    def kinds(self, topic: str, key: str) -> Counter[str]:
        return Counter(e["type"].split(".")[2] for e in self.of(topic, key))

    async def exactly(self, topic: str, key: str, kind: str, count: int = 1) -> list[dict[str, Any]]:
        """The `count` events of `kind` once they arrived; fails on more (each event once)."""

        async def probe() -> list[dict[str, Any]]:
            return self.of(topic, key, kind)

        found = await eventually(f"{count} x {kind} of {key} on {topic}", probe, lambda e: len(e) >= count)
        assert len(found) == count, f"{kind} of {key} published {len(found)} times: {found}"
        return found

    async def counted(self, topic: str, key: str, expected: dict[str, int]) -> None:
        """Once each kind reached its count, the counts are exactly `expected` (each event once)."""

        async def probe() -> dict[str, int]:
            seen = self.kinds(topic, key)
            return {kind: seen[kind] for kind in expected}

        seen = await eventually(
            f"{expected} of {key} on {topic}",
            probe,
            lambda counts: all(counts[kind] >= n for kind, n in expected.items()),
        )
        assert seen == expected, f"events of {key} on {topic} published more than once: {seen}"

    def ids_are_unique(self) -> None:
        ids = Counter(e["id"] for _, e in self.events)
        assert [i for i, n in ids.items() if n > 1] == [], "an event id was published twice"


@contextlib.asynccontextmanager
async def reading_events(bootstrap: str, prefix: str) -> AsyncIterator[EventLog]:
    """Every event of the four topics under `prefix`, from their beginning, until the block ends."""
    log = EventLog(prefix)
    consumer = AIOKafkaConsumer(
        *(prefix + t for t in TOPICS),
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=1000,
    )
    await consumer.start()

    async def collect() -> None:
        try:
            while True:
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    log.events += [(r.topic, json.loads(r.value or b"")) for r in records]
        except Exception as error:
            log.failure = error
            raise

    task = asyncio.create_task(collect())
    try:
        yield log
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await consumer.stop()
