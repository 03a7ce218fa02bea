"""Runs event handlers from Kafka, each poll's batch in one transaction, with an inbox:
effectively-once effects, a failing event isolated from its batch and dead-lettered, no loss."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_shared import events  # noqa: F401 - the whole catalogue, for parsing
from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.consumer.handlers import (
    BatchContext,
    Delivered,
    EventHandlers,
    HandlerFailed,
    PoisonMessage,
)
from ar_shared.consumer.inbox import Inbox, InboxEntry
from ar_shared.events.envelope import CloudEvent
from ar_shared.events.registry import parse_payload
from ar_shared.metrics import (
    CONSUMER_BATCH_EVENTS,
    CONSUMER_BATCH_SECONDS,
    CONSUMER_BATCHES_SPLIT,
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
)
from ar_shared.outbox import OutboxWriter
from ar_shared.plumbing import PlumbingTables

log = logging.getLogger(__name__)

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


@dataclass(frozen=True)
class ConsumerSettings:
    group_id: str
    bootstrap_servers: str
    client_id: str = "ar-consumer"
    topic_prefix: str = ""
    max_retries: int = 5
    retry_backoff_seconds: float = 0.2
    retry_backoff_max_seconds: float = 10.0
    # events fetched per poll, hence the most one transaction applies: bounds how long a batch
    # holds its row locks (a credit decision on one of its customers waits that long at most)
    max_batch: int = 1000
    # how long the broker holds a fetch that finds nothing new. The client keeps one fetch in
    # flight per broker, and a partition whose records the consumer was still applying when that
    # fetch left is not in it: the partition's next events wait for it to come back (up to
    # Kafka's default of 500 ms before). Shorter: lower latency, more idle fetches (CPU).
    fetch_max_wait_ms: int = 50

    @property
    def dead_letter_topic(self) -> str:
        # the group id is unique per cluster (and carries any prefix), so this name is too
        return f"deadletter.{self.group_id}"


class _Outcome:
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True, slots=True)
class _Item:
    record: Record
    delivered: Delivered[Any]


class ConsumerRunner:
    """Consumes the topics its handlers need; each poll's fetched batch in one transaction.

    The batch's inbox rows (group, event id) are written with one statement in the handlers'
    transaction, so a redelivered event is recognised and skipped, and only new events reach the
    handlers, in offset order. The Kafka offset is committed only after the database commit. When
    the batch fails, it is split (around the failing event when the handler that failed names
    it, in halves otherwise) and the parts applied on their own, down to the single event, which
    is retried with backoff and then copied to the group's dead-letter topic with its origin and
    error in headers: its neighbours are applied and the partition moves on.
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
        self._inbox = Inbox(tables.inbox, settings.group_id)
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
            fetch_max_wait_ms=s.fetch_max_wait_ms,
        )
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def run(self, stop: asyncio.Event) -> None:
        """Polls until `stop`. A poll's offsets are committed while the next poll is fetched and
        applied (still after their own database commit, one commit at a time, in order): the
        events waiting for the next poll do not wait for a Kafka round trip as well. A commit that
        fails is raised at the next poll, as it would have been at its own."""
        if self._consumer is None:
            await self.start()
        committing: asyncio.Task[None] | None = None
        try:
            while not stop.is_set():
                _, offsets = await self._poll(timeout_ms=500)
                if committing is not None:
                    await committing
                    committing = None
                if offsets:
                    committing = asyncio.create_task(self._commit(offsets))
        finally:
            try:
                if committing is not None:
                    await committing
            except Exception as exc:
                # applied and recorded in the inbox: redelivered after a restart, then skipped
                log.warning("the last offsets were not committed: %s", exc)
            finally:
                await self.stop()

    async def poll_once(self, timeout_ms: int = 500) -> int:
        """Applies what one poll fetched, in one transaction; returns the number of messages processed.

        Every partition's records go into the one transaction, each partition's in offset order:
        a key (customer) lives on one partition, so no event overtakes an earlier one of its key,
        and a batch's fixed cost (the inbox, the locks, a hook's judgement of the customers
        touched, the commit) is paid once per poll, not once per partition. At a steady trickle
        a poll holds a few events of each partition, and that fixed cost is most of the time an
        event waits; `max_batch` still bounds the transaction.
        """
        processed, offsets = await self._poll(timeout_ms)
        if offsets:
            await self._commit(offsets)
        return processed

    async def _poll(self, timeout_ms: int) -> tuple[int, dict[TopicPartition, int]]:
        """Applies what one poll fetched: how many messages, and the offsets to commit (none when
        nothing was fetched)."""
        assert self._consumer is not None, "start() first"
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=self._settings.max_batch)
        if not batches:
            return 0, {}
        await self.apply([record for records in batches.values() for record in records])
        # to be committed only now: the effects of these records are durable in Postgres
        offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
        return sum(len(records) for records in batches.values()), offsets

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        assert self._consumer is not None, "start() first"
        await self._consumer.commit(offsets)

    async def apply(self, records: Sequence[Record]) -> None:
        """Applies records (each partition's in offset order) and dead-letters what fails; the
        caller commits their offsets afterwards."""
        items = []
        for record in records:
            try:
                delivered = self._parse(record)
            except (ValidationError, ValueError, LookupError) as exc:
                # malformed input never becomes valid: retrying would only delay the partition
                await self._dead_letter(record, exc, attempts=1)
                continue
            if delivered is not None:
                items.append(_Item(record, delivered))
        await self._apply(items)

    def _parse(self, record: Record) -> Delivered[Any] | None:
        """The event and its payload; None for a type this group does not handle."""
        # the relay names the type in a header: skip parsing what this group ignores
        header = next((v for k, v in record.headers or () if k == "ce_type"), None)
        if header is not None and self._handlers.get(header.decode(errors="replace")) is None:
            EVENTS_CONSUMED.labels(
                self._settings.group_id, header.decode(errors="replace"), _Outcome.IGNORED
            ).inc()
            return None
        event = CloudEvent.from_json_bytes(record.value or b"")
        if self._handlers.get(event.type) is None:
            EVENTS_CONSUMED.labels(self._settings.group_id, event.type, _Outcome.IGNORED).inc()
            return None
        return Delivered(event, parse_payload(event))

    async def _apply(self, items: Sequence[_Item]) -> None:
        if not items:
            return
        if len(items) == 1:
            await self._apply_alone(items[0])
            return
        try:
            await self._transaction(items)
        except HandlerFailed as failure:
            CONSUMER_BATCHES_SPLIT.labels(self._settings.group_id).inc()
            log.warning(
                "a batch of %d events failed (%s); applying it in parts to isolate the failure",
                len(items),
                failure,
            )
            if len(failure.suspects) == 1:
                culprit = failure.suspects[0]
                await self._apply(items[:culprit])
                await self._apply_alone(items[culprit], failure)
                await self._apply(items[culprit + 1 :])
            else:
                half = len(items) // 2
                await self._apply(items[:half])
                await self._apply(items[half:])

    async def _apply_alone(self, item: _Item, failed: HandlerFailed | None = None) -> None:
        """One event in its own transaction, retried with backoff, then dead-lettered. `failed`:
        its handler already failed once, in the batch that named it."""
        attempt = 0 if failed is None else 1
        while True:
            if failed is not None:
                cause = failed.cause
                if isinstance(cause, PoisonMessage) or attempt > self._settings.max_retries:
                    await self._dead_letter(item.record, cause, attempts=attempt)
                    return
                delay = min(
                    self._settings.retry_backoff_seconds * 2 ** (attempt - 1),
                    self._settings.retry_backoff_max_seconds,
                )
                log.warning(
                    "handler failed for %s (attempt %d), retrying in %.2fs: %s",
                    item.delivered.event.type,
                    attempt,
                    delay,
                    cause,
                )
                await asyncio.sleep(delay)
            attempt += 1
            try:
                await self._transaction([item])
                return
            except HandlerFailed as failure:
                failed = failure

    async def _transaction(self, items: Sequence[_Item]) -> None:
        """Inbox rows, handlers and hooks for `items` in one transaction; raises HandlerFailed."""
        started = time.perf_counter()
        new: list[int] = []
        try:
            async with self._sessionmaker() as session, session.begin():
                new = await self._inbox.record(session, [_entry(item) for item in items])
                if new:
                    try:
                        await self._handlers.apply(
                            BatchContext(session, self._outbox, self._clock),
                            [items[p].delivered for p in new],
                        )
                    except HandlerFailed as failure:
                        raise HandlerFailed(
                            failure.cause, [new[s] for s in failure.suspects]
                        ) from failure.cause
        except HandlerFailed as failure:
            # a handler's own OSError (a file, a network call) is its failure, not the database's
            if database_unreachable(failure.cause, socket_errors=False):
                raise failure.cause from None
            raise
        except Exception as exc:  # the inbox, a flush or the commit: any event may be the cause
            if database_unreachable(exc, socket_errors=True):
                raise
            raise HandlerFailed(exc, range(len(items))) from exc
        group = self._settings.group_id
        CONSUMER_BATCH_EVENTS.labels(group).observe(len(items))
        CONSUMER_BATCH_SECONDS.labels(group).observe(time.perf_counter() - started)
        handled = set(new)
        outcomes = Counter(
            (item.delivered.event.type, _Outcome.HANDLED if p in handled else _Outcome.DUPLICATE)
            for p, item in enumerate(items)
        )
        for (event_type, outcome), n in outcomes.items():
            EVENTS_CONSUMED.labels(group, event_type, outcome).inc(n)

    async def _dead_letter(self, record: Record, exc: BaseException, attempts: int) -> None:
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
        EVENTS_CONSUMED.labels(self._settings.group_id, _type_of(record), _Outcome.DEAD_LETTERED).inc()


def database_unreachable(exc: BaseException, *, socket_errors: bool) -> bool:
    """The database cannot be reached (down, restarting, connection lost): no event's fault.

    The runner stops instead of dead-lettering (the worker restarts it with backoff) and the
    uncommitted offsets bring the batch back once the database answers. `socket_errors`: a bare
    OSError counts (raised by the transaction's own statements, e.g. connection refused).
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, asyncpg.PostgresConnectionError | asyncpg.InterfaceError):
            return True
        if socket_errors and isinstance(error, OSError):
            return True
        if isinstance(error, DBAPIError):
            if error.connection_invalidated:
                return True
            pending.append(error.orig)  # the driver's error, which keeps asyncpg's as its cause
        pending.append(error.__cause__)
    return False


def _entry(item: _Item) -> InboxEntry:
    r = item.record
    return InboxEntry(item.delivered.event.id, item.delivered.event.type, r.topic, r.partition, r.offset)


def _type_of(record: Record) -> str:
    header = next((v for k, v in record.headers or () if k == "ce_type"), None)
    return header.decode(errors="replace") if header is not None else "unknown"
