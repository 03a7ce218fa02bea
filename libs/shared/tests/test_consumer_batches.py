"""A poll's fetched batch in one transaction, on real PostgreSQL and Kafka: duplicates applied
once, a poison event isolated from its neighbours, a crash before the offset commit absorbed by
the inbox, the after-batch hook once per batch, the partitions of one poll in one transaction."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Sequence
from typing import Any, TypeAlias

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from ar_shared.consumer import (
    BatchContext,
    ConsumerRunner,
    ConsumerSettings,
    Delivered,
    EventHandlers,
    HandlerContext,
)
from ar_shared.db import asyncpg_dsn
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.relay import OutboxRelay, RelaySettings
from ar_shared.testing.kafka import read_topic
from ar_shared.testing.schemas import ServiceSchema
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


def upserted(customer_id: uuid.UUID, name: str) -> CustomerUpserted:
    return CustomerUpserted(
        customer_id=customer_id,
        external_id=f"C-{customer_id.hex[:6]}",
        name=name,
        currency="EUR",
        payment_terms_days=30,
        business_entity="DE01",
    )


async def publish(
    producer_schema: ServiceSchema, kafka: AIOKafkaProducer, prefix: str, payloads: Sequence[CustomerUpserted]
) -> OutboxRelay:
    async with producer_schema.sessionmaker() as session:
        await OutboxWriter(producer_schema.tables).add_many(session, list(payloads))
        await session.commit()
    dsn = asyncpg_dsn(producer_schema.engine.url.render_as_string(hide_password=False))
    relay = OutboxRelay(
        producer_schema.engine, producer_schema.tables, kafka, dsn, RelaySettings(topic_prefix=prefix)
    )
    assert await relay.drain() == len(payloads)
    return relay


class Recorder:
    """Handlers whose effect is one row per applied event (named by the event), and a hook
    that remembers which events each batch handed it."""

    def __init__(self, schema: ServiceSchema, *, poison: str | None = None, batched: bool = False) -> None:
        self.schema = schema
        self.hook_calls: list[list[str]] = []
        self.attempts = 0
        self.handlers = EventHandlers()

        async def record(ctx: BatchContext | HandlerContext, names: list[str]) -> None:
            if poison in names:
                self.attempts += 1
                raise RuntimeError(f"{poison} can never be applied")
            await ctx.session.execute(insert(schema.effects), [{"key": name} for name in names])

        if batched:

            @self.handlers.on_batch(CustomerUpserted)
            async def apply_all(ctx: BatchContext, events: Sequence[Delivered[CustomerUpserted]]) -> None:
                await record(ctx, [d.payload.name for d in events])

        else:

            @self.handlers.on(CustomerUpserted)
            async def apply_one(ctx: HandlerContext, event: CustomerUpserted) -> None:
                await record(ctx, [event.name])

        @self.handlers.after_batch
        async def once_per_batch(ctx: BatchContext, handled: Sequence[Delivered[Any]]) -> None:
            self.hook_calls.append([d.payload.name for d in handled])

    async def applied(self) -> list[str]:
        """Effects in the order they were written."""
        effects = self.schema.effects
        async with self.schema.engine.connect() as conn:
            return list((await conn.scalars(select(effects.c.key).order_by(effects.c.id))).all())


def runner_for(
    schema: ServiceSchema, recorder: Recorder, kafka: AIOKafkaProducer, stack: Stack, prefix: str, group: str
) -> ConsumerRunner:
    settings = ConsumerSettings(
        group_id=group,
        bootstrap_servers=stack.kafka_bootstrap,
        topic_prefix=prefix,
        max_retries=1,
        retry_backoff_seconds=0.01,
    )
    return ConsumerRunner(settings, recorder.handlers, schema.sessionmaker, schema.tables, kafka)


async def fetch(runner: ConsumerRunner, count: int) -> list[Record]:
    """`count` records of the runner's topics, fetched without applying or committing anything,
    in offset order within each partition."""
    consumer = runner._consumer
    assert consumer is not None
    records: list[Record] = []
    async with asyncio.timeout(30):
        while len(records) < count:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records += batch
    return records


async def test_a_batch_with_duplicates_applies_each_event_once(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    customer = uuid.uuid4()
    names = [f"v{n}" for n in range(5)]
    relay = await publish(producer_schema, kafka_producer, prefix, [upserted(customer, n) for n in names])
    # the relay publishes them all again (as after a crash before it marked them published)
    async with producer_schema.engine.begin() as conn:
        await conn.execute(producer_schema.tables.outbox.update().values(published_at=None))
    assert await relay.drain() == 5

    recorder = Recorder(consumer_schema)
    runner = runner_for(consumer_schema, recorder, kafka_producer, stack, prefix, unique)
    await runner.start()
    try:
        records = await fetch(runner, 10)
        assert len(records) == 10  # five events, each twice, in one batch
        await runner.apply(records)
        assert await recorder.applied() == names
        assert recorder.hook_calls == [names]  # one transaction, each event once, in order

        await runner.apply(records)  # the whole batch again: every event is in the inbox
        assert await recorder.applied() == names
        assert recorder.hook_calls == [names]
    finally:
        await runner.stop()


@pytest.mark.parametrize("batched", [False, True], ids=["per-event handler", "batch handler"])
async def test_a_poison_event_in_the_middle_of_a_batch_is_dead_lettered_and_its_neighbours_applied(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
    batched: bool,
) -> None:
    prefix = f"t{unique}."
    customer = uuid.uuid4()  # one key: one partition, in this order
    names = [f"e{n}" for n in range(9)]
    await publish(producer_schema, kafka_producer, prefix, [upserted(customer, n) for n in names])

    recorder = Recorder(consumer_schema, poison="e4", batched=batched)
    runner = runner_for(consumer_schema, recorder, kafka_producer, stack, prefix, unique)
    await runner.start()
    try:
        records = await fetch(runner, 9)
        await runner.apply(records)
    finally:
        await runner.stop()

    # the neighbours, before and after it, in their order; the poison event alone is left out
    assert await recorder.applied() == [n for n in names if n != "e4"]
    dead = await read_topic(stack.kafka_bootstrap, f"deadletter.{unique}", expected=1)
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["dlt.original.offset"] == str(records[4].offset).encode()
    assert headers["dlt.error.type"] == b"RuntimeError"
    assert headers["dlt.attempts"] == b"2"  # the first try and max_retries=1
    # every applied event went through the hook once, in batches that never held the poison
    assert sorted(n for call in recorder.hook_calls for n in call) == sorted(await recorder.applied())
    assert all("e4" not in call for call in recorder.hook_calls)


async def test_a_crash_between_db_commit_and_offset_commit_redelivers_the_batch_and_the_inbox_skips_it(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    customers = [uuid.uuid4() for _ in range(4)]
    payloads = [upserted(c, f"{c}:{n}") for n in range(5) for c in customers]
    await publish(producer_schema, kafka_producer, prefix, payloads)

    first = Recorder(consumer_schema)
    crashing = runner_for(consumer_schema, first, kafka_producer, stack, prefix, unique)
    await crashing.start()
    try:
        records = await fetch(crashing, 20)
        for partition in {r.partition for r in records}:
            await crashing.apply([r for r in records if r.partition == partition])  # DB commit ...
    finally:
        await crashing.stop()  # ... and "dies" before committing any offset
    assert len(await first.applied()) == 20

    second = Recorder(consumer_schema)
    restarted = runner_for(consumer_schema, second, kafka_producer, stack, prefix, unique)
    await restarted.start()
    try:
        redelivered = 0
        async with asyncio.timeout(30):
            while redelivered < 20:
                redelivered += await restarted.poll_once(timeout_ms=200)
    finally:
        await restarted.stop()
    assert redelivered == 20  # Kafka delivered the whole batch again ...
    assert len(await second.applied()) == 20  # ... the inbox absorbed it: nothing applied twice
    assert second.hook_calls == []


async def test_the_after_batch_hook_runs_once_per_batch_with_every_event_of_each_customer(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    customers = [uuid.uuid4() for _ in range(3)]
    payloads = [upserted(c, f"{c}:{n}") for n in range(10) for c in customers]
    await publish(producer_schema, kafka_producer, prefix, payloads)

    recorder = Recorder(consumer_schema)
    runner = runner_for(consumer_schema, recorder, kafka_producer, stack, prefix, unique)
    await runner.start()
    try:
        await runner.apply(await fetch(runner, 30))
    finally:
        await runner.stop()

    assert len(recorder.hook_calls) == 1  # thirty events, one transaction, one call
    [handled] = recorder.hook_calls
    for customer in customers:
        # each customer once, with all of its events in their order
        assert [n for n in handled if n.startswith(str(customer))] == [f"{customer}:{n}" for n in range(10)]


async def test_one_poll_of_several_partitions_is_applied_in_one_transaction(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    customers = [uuid.uuid4() for _ in range(12)]  # keys spread over the topic's partitions
    payloads = [upserted(c, f"{c}:{n}") for n in range(3) for c in customers]
    await publish(producer_schema, kafka_producer, prefix, payloads)

    recorder = Recorder(consumer_schema, batched=True)
    transactions: list[list[uuid.UUID]] = []  # the events each transaction's hook was handed

    @recorder.handlers.after_batch
    async def remember(ctx: BatchContext, handled: Sequence[Delivered[Any]]) -> None:
        transactions.append([d.event.id for d in handled])

    runner = runner_for(consumer_schema, recorder, kafka_producer, stack, prefix, unique)
    polls: list[int] = []
    await runner.start()
    try:
        async with asyncio.timeout(30):
            while sum(polls) < len(payloads):
                if applied := await runner.poll_once(timeout_ms=200):
                    polls.append(applied)
    finally:
        await runner.stop()

    assert [len(events) for events in transactions] == polls  # one transaction per poll
    inbox = consumer_schema.tables.inbox
    async with consumer_schema.engine.connect() as conn:
        partition_of = dict((await conn.execute(select(inbox.c.event_id, inbox.c.partition))).all())
    assert len(set(partition_of.values())) > 1
    assert any(len({partition_of[e] for e in events}) > 1 for events in transactions)
    applied_names = await recorder.applied()
    for customer in customers:  # each customer's events in their order
        assert [n for n in applied_names if n.startswith(str(customer))] == [
            f"{customer}:{n}" for n in range(3)
        ]


async def test_an_unreachable_database_stops_the_consumer_instead_of_dead_lettering_the_batch(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    prefix = f"t{unique}."
    customer = uuid.uuid4()
    names = [f"d{n}" for n in range(3)]
    await publish(producer_schema, kafka_producer, prefix, [upserted(customer, n) for n in names])

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once the socket is closed
    nowhere = create_async_engine(f"postgresql+asyncpg://nobody:nothing@127.0.0.1:{port}/nowhere")
    recorder = Recorder(consumer_schema)
    settings = ConsumerSettings(group_id=unique, bootstrap_servers=stack.kafka_bootstrap, topic_prefix=prefix)
    down = ConsumerRunner(
        settings, recorder.handlers, async_sessionmaker(nowhere), consumer_schema.tables, kafka_producer
    )
    await down.start()

    async def poll_until_it_stops() -> None:
        async with asyncio.timeout(30):
            while True:
                await down.poll_once(timeout_ms=200)  # raises once the events arrive

    try:
        with pytest.raises(ConnectionRefusedError):
            await poll_until_it_stops()
    finally:
        await down.stop()
        await nowhere.dispose()

    # nothing was dead-lettered and no offset committed: the database back, every event applies
    back = runner_for(consumer_schema, recorder, kafka_producer, stack, prefix, unique)
    await back.start()
    try:
        async with asyncio.timeout(30):
            while len(await recorder.applied()) < 3:
                await back.poll_once(timeout_ms=200)
    finally:
        await back.stop()
    assert await recorder.applied() == names
    assert await read_topic(stack.kafka_bootstrap, f"deadletter.{unique}", expected=0, timeout=1) == []


async def until_applied(recorder: Recorder, count: int) -> None:
    while len(await recorder.applied()) < count:  # noqa: ASYNC110 - rows in a table: no event to wait on
        await asyncio.sleep(0.05)


async def test_run_commits_every_polls_offsets_the_last_one_before_it_stops(
    stack: Stack,
    producer_schema: ServiceSchema,
    consumer_schema: ServiceSchema,
    kafka_producer: AIOKafkaProducer,
    unique: str,
) -> None:
    """`run` commits a poll's offsets while it fetches and applies the next: every offset is
    still committed, the last one on the way out (here: asked to stop by the very transaction
    that applied the last event), so a consumer of the same group that starts afterwards is
    handed nothing again."""
    prefix = f"t{unique}."
    customers = [uuid.uuid4() for _ in range(6)]
    total = 4 * len(customers)
    recorder = Recorder(consumer_schema)
    stop = asyncio.Event()
    handled: list[str] = []

    @recorder.handlers.after_batch
    async def stop_after_the_last(ctx: BatchContext, batch: Sequence[Delivered[Any]]) -> None:
        handled.extend(d.payload.name for d in batch)
        if len(handled) == total:
            stop.set()  # the loop ends right after this transaction, its offsets not committed yet

    runner = runner_for(consumer_schema, recorder, kafka_producer, stack, prefix, unique)
    await publish(producer_schema, kafka_producer, prefix, [upserted(c, f"{c}:0") for c in customers])
    running = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(30):
            for round_ in range(1, 4):  # more polls while it runs, each committed behind the next
                await until_applied(recorder, round_ * len(customers))
                await publish(
                    producer_schema, kafka_producer, prefix, [upserted(c, f"{c}:{round_}") for c in customers]
                )
            await stop.wait()
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)

    again = Recorder(consumer_schema)
    afterwards = runner_for(consumer_schema, again, kafka_producer, stack, prefix, unique)
    await afterwards.start()
    try:
        redelivered = sum([await afterwards.poll_once(timeout_ms=500) for _ in range(4)])
    finally:
        await afterwards.stop()
    assert redelivered == 0
    applied = await recorder.applied()
    assert len(applied) == len(set(applied)) == total
