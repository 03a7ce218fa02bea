"""Readiness and the outbox backlog: what operators see while Kafka is down or hangs."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from ar_shared.backlog import publish_backlog_metrics
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.health import KafkaProbe
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.ports import unused_port
from ar_shared.testing.schemas import ServiceSchema

pytestmark = pytest.mark.integration


def upserted(name: str) -> CustomerUpserted:
    return CustomerUpserted(
        customer_id=uuid.uuid4(),
        external_id=name,
        name=name,
        currency="EUR",
        payment_terms_days=30,
        business_entity="DE01",
    )


def sample(name: str, schema: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"schema": schema})


async def test_the_backlog_counts_unpublished_events_only_and_ages_the_oldest(
    producer_schema: ServiceSchema,
) -> None:
    name = producer_schema.name
    empty = await publish_backlog_metrics(producer_schema.engine, producer_schema.tables)
    assert empty is not None
    assert (empty.events, empty.oldest_age_seconds) == (0, 0.0)

    async with producer_schema.sessionmaker() as session:
        await OutboxWriter(producer_schema.tables).add_many(session, [upserted(f"c{n}") for n in range(4)])
        await session.commit()
    oldest_waiting = f"(SELECT min(id) FROM {name}.outbox WHERE published_at IS NULL)"
    async with producer_schema.engine.begin() as conn:
        # the first one was published; the second has waited ten minutes
        await conn.execute(text(f"UPDATE {name}.outbox SET published_at = now() WHERE id = {oldest_waiting}"))
        await conn.execute(
            text(
                f"UPDATE {name}.outbox SET created_at = created_at - interval '10 minutes' "
                f"WHERE id = {oldest_waiting}"
            )
        )
    backlog = await publish_backlog_metrics(producer_schema.engine, producer_schema.tables)

    assert backlog is not None
    assert backlog.events == 3
    assert 600 <= backlog.oldest_age_seconds < 660
    assert sample("ar_outbox_backlog", name) == 3
    assert sample("ar_outbox_oldest_unpublished_age_seconds", name) == backlog.oldest_age_seconds


async def test_readiness_answers_within_a_second_when_the_broker_stops_answering() -> None:
    # a broker that accepts connections and never replies (a hung process, a half-open network)
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    port = unused_port()
    server = await asyncio.start_server(swallow, "127.0.0.1", port)
    probe = KafkaProbe(f"127.0.0.1:{port}", ttl_seconds=0.0)
    try:
        assert await probe.ready() is False  # the first check runs to its own timeout
        started = time.monotonic()
        again = await probe.ready()
        elapsed = time.monotonic() - started
    finally:
        await probe.close()
        server.close()
        await server.wait_closed()
    assert again is False
    assert elapsed < 1.0
