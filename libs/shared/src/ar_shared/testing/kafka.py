"""Kafka helpers for tests."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient


async def read_topic(
    bootstrap: str, topic: str, expected: int, timeout: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Reads a topic from the beginning until `expected` records arrived (or the timeout)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < expected:
                batch = await consumer.getmany(timeout_ms=200)
                for part in batch.values():
                    records.extend(part)
        # anything beyond `expected` that is already there counts too (duplicates are checked)
        for part in (await consumer.getmany(timeout_ms=500)).values():
            records.extend(part)
    finally:
        await consumer.stop()
    return records


async def group_members(bootstrap: str, group: str) -> tuple[str, int]:
    """A consumer group's state (`Stable`, `PreparingRebalance`, `Empty`, …) and its member count."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    for response in described:
        for g in response.groups:
            if g[1] == group:
                return str(g[2]), len(g[5])
    return "Dead", 0


async def until_members(bootstrap: str, group: str, members: int, timeout: float = 60.0) -> None:
    """Until the group is stable with `members` members (the partitions are split between them)."""
    async with asyncio.timeout(timeout):
        while True:
            if await group_members(bootstrap, group) == ("Stable", members):
                return
            await asyncio.sleep(0.1)
