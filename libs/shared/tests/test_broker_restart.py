"""Kafka stopped and restarted while events are being written: the backlog drains, nothing lost."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid

import pytest

from ar_shared.db import asyncpg_dsn
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.kafka import read_topic
from ar_shared.testing.schemas import ServiceSchema
from ar_shared.testing.stack import REPO_ROOT, Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def kafka(action: str) -> None:
    subprocess.run([str(REPO_ROOT / "deploy" / "kafka.sh"), action], check=True, capture_output=True)  # noqa: S603


async def test_backlog_written_while_kafka_is_down_drains_after_restart(
    stack: Stack, producer_schema: ServiceSchema, unique: str
) -> None:
    if stack.kind != "local":
        pytest.skip("restarts the local broker started by deploy/kafka.sh")
    prefix = f"t{unique}."
    producer = build_producer(stack.kafka_bootstrap, "ar-test-restart")
    await producer.start()
    relay = OutboxRelay(
        producer_schema.engine,
        producer_schema.tables,
        producer,
        asyncpg_dsn(producer_schema.engine.url.render_as_string(hide_password=False)),
        RelaySettings(
            topic_prefix=prefix, poll_interval_seconds=0.2, error_backoff_seconds=0.5, batch_size=50
        ),
        producer_factory=lambda: build_producer(stack.kafka_bootstrap, "ar-test-restart"),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    writer = OutboxWriter(producer_schema.tables)
    names: list[str] = []

    async def write(count: int) -> None:
        for _ in range(count):
            name = f"evt-{len(names)}"
            names.append(name)
            async with producer_schema.sessionmaker() as session:
                await writer.add(
                    session,
                    CustomerUpserted(
                        customer_id=uuid.uuid4(),
                        external_id=name,
                        name=name,
                        currency="EUR",
                        payment_terms_days=30,
                        business_entity="DE01",
                        sales_rep=None,
                        contact_email=None,
                        time_zone="UTC",
                    ),
                )
                await session.commit()
            await asyncio.sleep(0.01)

    try:
        await write(20)
        await asyncio.to_thread(kafka, "stop")
        try:
            await write(30)  # the business keeps writing while the broker is down
            await asyncio.sleep(1.0)
            assert await relay.backlog() > 0
        finally:
            await asyncio.to_thread(kafka, "start")
        await write(20)
        async with asyncio.timeout(120):
            while await relay.backlog():  # noqa: ASYNC110 - polling the database
                await asyncio.sleep(0.5)
    finally:
        stop.set()
        await running
        await producer.stop()

    records = await read_topic(
        stack.kafka_bootstrap, prefix + "ledger.events", expected=len(names), timeout=60
    )
    published = {json.loads(r.value or b"{}")["data"]["name"] for r in records}
    assert published == set(names)  # every event arrived (duplicates allowed, losses not)
