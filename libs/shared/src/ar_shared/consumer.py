"""Runs event handlers from Kafka with an inbox: effectively-once effects, dead letters, no loss."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_shared import context, events  # noqa: F401 - the whole catalogue, for parsing
from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.events.registry import parse_payload
from ar_shared.metrics import EVENTS_CONSUMED, EVENTS_DEAD_LETTERED
from ar_shared.outbox import OutboxWriter
from ar_shared.plumbing import PlumbingTables

log = logging.getLogger(__name__)

P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class HandlerContext:
    """What a handler gets besides its payload: the transaction and the incoming envelope."""

    session: AsyncSession
    event: CloudEvent
    outbox: OutboxWriter
    clock: Clock = SYSTEM_CLOCK


Handler = Callable[[HandlerContext, P], Awaitable[None]]


class PoisonMessage(Exception):
    """Raised by a handler for input that can never succeed: dead-lettered without retries."""


@dataclass(frozen=True)
class _Registration(Generic[P]):
    model: type[P]
    handler: Handler[P]


class EventHandlers:
    """Handlers registered per event type: ``@handlers.on(InvoiceIssued)``."""

    def __init__(self) -> None:
        self._by_type: dict[str, _Registration[Any]] = {}

    def on(self, model: type[P]) -> Callable[[Handler[P]], Handler[P]]:
        def decorate(handler: Handler[P]) -> Handler[P]:
            key = model.event_type()
            if key in self._by_type:
                raise ValueError(f"a handler for {key} is already registered")
            self._by_type[key] = _Registration(model, handler)
            return handler

        return decorate

    def get(self, event_type: str) -> _Registration[Any] | None:
        return self._by_type.get(event_type)

    def topics(self) -> list[str]:
        return sorted({reg.model.topic() for reg in self._by_type.values()})


@dataclass(frozen=True)
class ConsumerSettings:
    group_id: str
    bootstrap_servers: str
    client_id: str = "ar-consumer"
    topic_prefix: str = ""
    max_retries: int = 5
    retry_backoff_seconds: float = 0.2
    retry_backoff_max_seconds: float = 10.0
    max_batch: int = 200

    @property
    def dead_letter_topic(self) -> str:
        # the group id is unique per cluster (and carries any prefix), so this name is too
        return f"deadletter.{self.group_id}"


class _Outcome:
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


class ConsumerRunner:
    """Consumes the topics its handlers need, one database transaction per message.

    The inbox row (group, event id) is written in the handler's transaction, so a redelivered
    event is recognised and skipped. Offsets are committed only after the database commit. A
    message that keeps failing is retried with backoff, then copied to the group's dead-letter
    topic with its origin and error in headers, and the partition moves on.
    """

    def __init__(
        self,
        settings: ConsumerSettings,
        handlers: EventHandlers,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: PlumbingTables,
        producer: AIOKafkaProducer,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._handlers = handlers
        self._sessionmaker = sessionmaker
        self._inbox = tables.inbox
        self._outbox = OutboxWriter(tables)
        self._producer = producer
        self._consumer: AIOKafkaConsumer | None = None

    def topics(self) -> list[str]:
        return [self._settings.topic_prefix + t for t in self._handlers.topics()]

    async def start(self) -> None:
        s = self._settings
        self._consumer = AIOKafkaConsumer(
            *self.topics(),
            bootstrap_servers=s.bootstrap_servers,
            group_id=s.group_id,
            client_id=s.client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def run(self, stop: asyncio.Event) -> None:
        if self._consumer is None:
            await self.start()
        try:
            while not stop.is_set():
                await self.poll_once(timeout_ms=500)
        finally:
            await self.stop()

    async def poll_once(self, timeout_ms: int = 500) -> int:
        """Handles one fetched batch; returns the number of messages processed."""
        assert self._consumer is not None, "start() first"
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=self._settings.max_batch)
        count = 0
        for tp, records in batches.items():
            for record in records:
                await self._process(record)
                count += 1
                # committed only now: the effects of this record are durable in Postgres
                await self._consumer.commit({tp: record.offset + 1})
        return count

    async def _process(self, record: ConsumerRecord[bytes, bytes]) -> str:
        try:
            event = CloudEvent.from_json_bytes(record.value or b"")
            registration = self._handlers.get(event.type)
            if registration is None:
                EVENTS_CONSUMED.labels(self._settings.group_id, event.type, _Outcome.IGNORED).inc()
                return _Outcome.IGNORED
            payload = parse_payload(event)
        except (ValidationError, ValueError, LookupError) as exc:
            # malformed input never becomes valid: retrying would only delay the partition
            return await self._dead_letter(record, exc, attempts=1)

        attempt = 0
        while True:
            attempt += 1
            try:
                with context.bind(
                    correlation_id=event.correlationid or str(event.id),
                    causation_id=str(event.id),
                    traceparent=context.new_traceparent(event.traceparent),
                    request_id=None,
                ):
                    outcome = await self._handle_once(record, event, payload, registration.handler)
                EVENTS_CONSUMED.labels(self._settings.group_id, event.type, outcome).inc()
                return outcome
            except PoisonMessage as exc:
                return await self._dead_letter(record, exc, attempts=attempt)
            except Exception as exc:
                if attempt > self._settings.max_retries:
                    return await self._dead_letter(record, exc, attempts=attempt)
                delay = min(
                    self._settings.retry_backoff_seconds * 2 ** (attempt - 1),
                    self._settings.retry_backoff_max_seconds,
                )
                log.warning(
                    "handler failed for %s (attempt %d), retrying in %.2fs: %s",
                    event.type,
                    attempt,
                    delay,
                    exc,
                )
                await asyncio.sleep(delay)

    async def _handle_once(
        self,
        record: ConsumerRecord[bytes, bytes],
        event: CloudEvent,
        payload: EventPayload,
        handler: Handler[Any],
    ) -> str:
        async with self._sessionmaker() as session, session.begin():
            first_time = await session.scalar(
                insert(self._inbox)
                .values(
                    consumer_group=self._settings.group_id,
                    event_id=event.id,
                    event_type=event.type,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                )
                .on_conflict_do_nothing()
                .returning(self._inbox.c.event_id)
            )
            if first_time is None:
                return _Outcome.DUPLICATE
            await handler(HandlerContext(session, event, self._outbox, self._clock), payload)
        return _Outcome.HANDLED

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], exc: BaseException, attempts: int
    ) -> str:
        topic = self._settings.dead_letter_topic
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        headers = [
            *(record.headers or ()),
            ("dlt.original.topic", record.topic.encode()),
            ("dlt.original.partition", str(record.partition).encode()),
            ("dlt.original.offset", str(record.offset).encode()),
            ("dlt.consumer.group", self._settings.group_id.encode()),
            ("dlt.error.type", type(exc).__name__.encode()),
            ("dlt.error", error.encode()),
            ("dlt.attempts", str(attempts).encode()),
        ]
        # awaited to the broker's ack: the offset is committed only once the copy is safe
        await (await self._producer.send(topic, value=record.value, key=record.key, headers=headers))
        log.error(
            "dead-lettered %s[%d]@%d after %d attempt(s): %s",
            record.topic,
            record.partition,
            record.offset,
            attempts,
            error,
        )
        EVENTS_DEAD_LETTERED.labels(self._settings.group_id, record.topic).inc()
        return _Outcome.DEAD_LETTERED
