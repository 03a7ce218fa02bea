"""Outbox → Kafka → inbox on real PostgreSQL and Kafka: effectively-once, no loss, no reorder."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import OutOfOrderSequenceNumber
from sqlalchemy import insert

from ar_shared.consumer import ConsumerRunner, ConsumerSettings, EventHandlers, HandlerContext
from ar_shared.db import asyncpg_dsn
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.kafka import read_topic
from ar_shared.testing.schemas import ServiceSchema
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration


def customer_upserted(customer_id: uuid.UUID, name: str = "Acme") -> CustomerUpserted:
    return CustomerUpserted(
        customer_id=customer_id,
        external_id=f"C-{customer_id.hex[:6]}",
        name=name,
        currency="EUR",
        payment_terms_days=30,
        business_entity="DE01",
        sales_rep=None,
        contact_email=None,
        time_zone="UTC",
    )


def relay_for(
    schema: ServiceSchema, producer: AIOKafkaProducer, stack: Stack, prefix: str, **kw: Any
) -> OutboxRelay:
    dsn = asyncpg_dsn(schema.engine.url.render_as_string(hide_password=False))
    return OutboxRelay(schema.engine, schema.tables, producer, dsn, RelaySettings(topic_prefix=prefix, **kw))


def recording_handlers(schema: ServiceSchema) -> EventHandlers:
    """A consumer whose effect is one row per handled event in its own schema."""
    handlers = EventHandlers()

    @handlers.on(CustomerUpserted)
    async def record(ctx: HandlerContext, event: CustomerUpserted) -> None:
        await ctx.session.execute(insert(schema.effects).values(key=event.name))

    return handlers


def runner_for(
    schema: ServiceSchema,
    handlers: EventHandlers,
    producer: AIOKafkaProducer,
    stack: Stack,
    prefix: str,
    group: str,
    **kw: Any,
) -> ConsumerRunner:
    settings = ConsumerSettings(
        group_id=group, bootstrap_servers=stack.kafka_bootstrap, topic_prefix=prefix, **kw
    )
    return ConsumerRunner(settings, handlers, schema.sessionmaker, schema.tables, producer)


async def consume_until(runner: ConsumerRunner, done: Any, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await done():
            await runner.poll_once(timeout_ms=200)


async def write_events(
    schema: ServiceSchema, payloads: Sequence[CustomerUpserted], *, commit: bool = True
) -> None:
    async with schema.sessionmaker() as session:
        await OutboxWriter(schema.tables).add_many(session, list(payloads))
        if commit:
            await session.commit()
        else:
            await session.rollback()


async def test_committed_event_is_handled_once_and_rolled_back_event_never_published(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    await write_events(producer_schema, [customer_upserted(uuid.uuid4(), "committed")])
    await write_events(producer_schema, [customer_upserted(uuid.uuid4(), "rolled-back")], commit=False)

    relay = relay_for(producer_schema, kafka_producer, stack, prefix)
    assert await relay.drain() == 1
    assert await relay.backlog() == 0

    runner = runner_for(
        consumer_schema, recording_handlers(consumer_schema), kafka_producer, stack, prefix, unique
    )
    await runner.start()
    try:
        await consume_until(runner, lambda: _has(consumer_schema, "committed"))
        await runner.poll_once(timeout_ms=1000)  # nothing else arrives
    finally:
        await runner.stop()
    assert await consumer_schema.effect_count("committed") == 1
    assert await consumer_schema.effect_count("rolled-back") == 0
    records = await read_topic(stack.kafka_bootstrap, prefix + "ledger.events", expected=1)
    assert len(records) == 1


async def _has(schema: ServiceSchema, key: str) -> bool:
    return await schema.effect_count(key) > 0


class CrashAfterPublish(OutboxRelay):
    """Publishes, then dies before the rows are marked published."""

    async def _send(self, rows: Sequence[Any]) -> None:
        await super()._send(rows)
        raise RuntimeError("relay killed after publishing")


async def test_relay_crash_after_publish_duplicates_on_kafka_but_not_in_effect(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    await write_events(producer_schema, [customer_upserted(uuid.uuid4(), "dup")])
    crashing = CrashAfterPublish(
        producer_schema.engine,
        producer_schema.tables,
        kafka_producer,
        "unused",
        RelaySettings(topic_prefix=prefix),
    )
    with pytest.raises(RuntimeError, match="killed"):
        await crashing.publish_pending()
    assert await crashing.backlog() == 1  # the mark was rolled back with the crash

    assert await relay_for(producer_schema, kafka_producer, stack, prefix).drain() == 1
    records = await read_topic(stack.kafka_bootstrap, prefix + "ledger.events", expected=2)
    ids = [json.loads(r.value or b"{}")["id"] for r in records]
    assert len(ids) == 2
    assert len(set(ids)) == 1  # the same event, twice

    runner = runner_for(
        consumer_schema, recording_handlers(consumer_schema), kafka_producer, stack, prefix, unique
    )
    await runner.start()
    try:
        handled = 0
        async with asyncio.timeout(30):
            while handled < 2:
                handled += await runner.poll_once(timeout_ms=200)
    finally:
        await runner.stop()
    assert await consumer_schema.effect_count("dup") == 1


async def test_consumer_crash_between_db_commit_and_offset_commit_has_no_duplicate_effect(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    await write_events(producer_schema, [customer_upserted(uuid.uuid4(), "once")])
    await relay_for(producer_schema, kafka_producer, stack, prefix).drain()
    handlers = recording_handlers(consumer_schema)

    first = runner_for(consumer_schema, handlers, kafka_producer, stack, prefix, unique)
    await first.start()
    try:
        # handle the record (DB commit) but "die" before committing its offset
        async with asyncio.timeout(30):
            while await consumer_schema.effect_count("once") == 0:
                batch = await first._consumer.getmany(timeout_ms=200)  # type: ignore[union-attr]
                for records in batch.values():
                    await first.apply(records)  # DB commit, no offset commit
    finally:
        await first.stop()
    assert await consumer_schema.effect_count("once") == 1

    second = runner_for(consumer_schema, handlers, kafka_producer, stack, prefix, unique)
    await second.start()
    try:
        redelivered = 0
        async with asyncio.timeout(30):
            while redelivered == 0:
                redelivered += await second.poll_once(timeout_ms=200)
    finally:
        await second.stop()
    assert redelivered == 1  # Kafka delivered it again ...
    assert await consumer_schema.effect_count("once") == 1  # ... and the inbox absorbed it


async def test_poison_messages_go_to_dead_letters_and_the_partition_moves_on(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    topic = prefix + "ledger.events"
    customer = uuid.uuid4()
    key = str(customer).encode()
    # 1: not even JSON; 2: a valid event whose handler always fails; 3: a good event, same key
    await (await kafka_producer.send(topic, value=b"{not json", key=key))
    await write_events(
        producer_schema,
        [customer_upserted(customer, "always-fails"), customer_upserted(customer, "fine")],
    )
    await relay_for(producer_schema, kafka_producer, stack, prefix).drain()

    handlers = EventHandlers()
    attempts = 0

    @handlers.on(CustomerUpserted)
    async def flaky(ctx: HandlerContext, event: CustomerUpserted) -> None:
        nonlocal attempts
        if event.name == "always-fails":
            attempts += 1
            raise RuntimeError("downstream rejected it")
        await ctx.session.execute(insert(consumer_schema.effects).values(key=event.name))

    runner = runner_for(
        consumer_schema,
        handlers,
        kafka_producer,
        stack,
        prefix,
        unique,
        max_retries=2,
        retry_backoff_seconds=0.01,
    )
    await runner.start()
    try:
        await consume_until(runner, lambda: _has(consumer_schema, "fine"))
    finally:
        await runner.stop()

    assert attempts == 3  # first try + 2 retries
    assert await consumer_schema.effect_count("fine") == 1
    dead = await read_topic(stack.kafka_bootstrap, f"deadletter.{unique}", expected=2)
    assert len(dead) == 2
    headers = [dict(r.headers) for r in dead]
    assert headers[0]["dlt.original.topic"] == topic.encode()
    assert {h["dlt.error.type"] for h in headers} == {b"ValidationError", b"RuntimeError"}
    assert [h["dlt.attempts"] for h in headers] == [b"1", b"3"]
    assert all(h["dlt.original.partition"].isdigit() and h["dlt.original.offset"].isdigit() for h in headers)
    assert dead[0].value == b"{not json"
    assert b"downstream rejected it" in headers[1]["dlt.error"]


async def test_notify_wakes_the_relay_without_waiting_for_the_poll(
    stack: Stack, producer_schema: ServiceSchema, kafka_producer: AIOKafkaProducer, unique: str
) -> None:
    prefix = f"t{unique}."
    relay = relay_for(producer_schema, kafka_producer, stack, prefix, poll_interval_seconds=120)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(1.0)  # the relay is now idle, listening
        await write_events(producer_schema, [customer_upserted(uuid.uuid4(), "wake")])
        records = await read_topic(stack.kafka_bootstrap, prefix + "ledger.events", expected=1, timeout=15)
        assert len(records) == 1
    finally:
        stop.set()
        await task


class CommitDuringPass(OutboxRelay):
    """Its first pass that publishes something ends with another event committed after the pass's
    snapshot, whose NOTIFY arrives before the pass returns (a commit racing a pass)."""

    def __init__(self, *args: Any, schema: ServiceSchema, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.schema = schema
        self.raced = False

    async def publish_pending(self) -> int:
        published = await super().publish_pending()
        if published and not self.raced:
            self.raced = True
            await write_events(self.schema, [customer_upserted(uuid.uuid4(), "during the pass")])
            await asyncio.sleep(0.5)  # its NOTIFY reaches the relay's listener meanwhile
        return published


async def test_a_commit_notified_during_a_pass_is_published_without_waiting_for_the_poll(
    stack: Stack, producer_schema: ServiceSchema, kafka_producer: AIOKafkaProducer, unique: str
) -> None:
    prefix = f"t{unique}."
    dsn = asyncpg_dsn(producer_schema.engine.url.render_as_string(hide_password=False))
    relay = CommitDuringPass(
        producer_schema.engine,
        producer_schema.tables,
        kafka_producer,
        dsn,
        RelaySettings(topic_prefix=prefix, poll_interval_seconds=120),
        schema=producer_schema,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(1.0)  # the relay is now idle, listening
        await write_events(producer_schema, [customer_upserted(uuid.uuid4(), "wake")])
        # the second event's NOTIFY came while the first pass ran: it must start the next pass,
        # not be forgotten until the poll two minutes later
        records = await read_topic(stack.kafka_bootstrap, prefix + "ledger.events", expected=2, timeout=15)
        assert relay.raced
        assert sorted(json.loads(r.value or b"{}")["data"]["name"] for r in records) == [
            "during the pass",
            "wake",
        ]
    finally:
        stop.set()
        await task


async def test_concurrent_relays_keep_each_customers_events_in_order(
    stack: Stack, producer_schema: ServiceSchema, kafka_producer: AIOKafkaProducer, unique: str
) -> None:
    prefix = f"t{unique}."
    customers = [uuid.uuid4() for _ in range(5)]
    for round_ in range(40):
        await write_events(producer_schema, [customer_upserted(c, f"{c}:{round_}") for c in customers])
    relays = [relay_for(producer_schema, kafka_producer, stack, prefix, batch_size=7) for _ in range(3)]
    await asyncio.gather(*(r.drain() for r in relays))
    assert await relays[0].backlog() == 0

    records = await read_topic(stack.kafka_bootstrap, prefix + "ledger.events", expected=200)
    assert len(records) == 200
    seen: dict[str, list[int]] = {}
    for record in records:
        name = json.loads(record.value or b"{}")["data"]["name"]
        customer, round_ = name.rsplit(":", 1)
        seen.setdefault(customer, []).append(int(round_))
    assert all(rounds == list(range(40)) for rounds in seen.values())


class OutOfStepProducer(AIOKafkaProducer):  # type: ignore[misc]  # aiokafka ships no types
    """A real producer whose every batch is refused as an idempotent producer out of step is."""

    async def send_batch(self, *args: Any, **kwargs: Any) -> Any:
        raise OutOfOrderSequenceNumber("sequence numbers out of step with the broker")


async def test_a_producer_that_keeps_failing_is_replaced_and_the_backlog_drains(
    stack: Stack, producer_schema: ServiceSchema, kafka_producer: AIOKafkaProducer, unique: str
) -> None:
    # A producer stuck after a broker restart answers every send with OutOfOrderSequenceNumber
    # for good (aio-libs/aiokafka#1017): every pass fails until the relay starts a fresh one.
    prefix = f"t{unique}."
    stuck = OutOfStepProducer(bootstrap_servers=stack.kafka_bootstrap)
    await stuck.start()
    started: list[AIOKafkaProducer] = []

    def fresh() -> AIOKafkaProducer:
        started.append(build_producer(stack.kafka_bootstrap, "ar-test-renewed"))
        return started[-1]

    dsn = asyncpg_dsn(producer_schema.engine.url.render_as_string(hide_password=False))
    relay = OutboxRelay(
        producer_schema.engine,
        producer_schema.tables,
        stuck,
        dsn,
        RelaySettings(topic_prefix=prefix, poll_interval_seconds=0.2, error_backoff_seconds=0.1),
        producer_factory=fresh,
    )
    names = [f"renewed-{n}" for n in range(5)]
    await write_events(producer_schema, [customer_upserted(uuid.uuid4(), name) for name in names])
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        async with asyncio.timeout(60):
            while await relay.backlog():  # noqa: ASYNC110 - polling the database
                await asyncio.sleep(0.2)
    finally:
        stop.set()
        await running
    try:
        assert len(started) == 1  # renewed once, after the first failed pass
        assert started[0]._closed  # the relay stops the producers it started
        assert not stuck._closed  # the caller's producer stays the caller's
    finally:
        await stuck.stop()
    records = await read_topic(
        stack.kafka_bootstrap, prefix + "ledger.events", expected=len(names), timeout=30
    )
    assert sorted(json.loads(r.value or b"{}")["data"]["name"] for r in records) == names
