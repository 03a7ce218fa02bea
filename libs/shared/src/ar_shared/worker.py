"""The worker process of a service: outbox relay, event consumers and scheduled jobs."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from prometheus_client import start_http_server
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ar_shared.backlog import publish_backlog_metrics
from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.consumer import ConsumerRunner, ConsumerSettings, EventHandlers
from ar_shared.db import asyncpg_dsn, build_engine, build_sessionmaker
from ar_shared.logs import configure_logging
from ar_shared.plumbing import PlumbingTables
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    """A job the worker runs repeatedly; `next_delay` says how long to wait before each run."""

    name: str
    run: Callable[[], Awaitable[None]]
    next_delay: Callable[[], float]


# builds a service's scheduled jobs from the worker's sessionmaker and clock
JobsFactory = Callable[[async_sessionmaker[AsyncSession], Clock], Sequence[ScheduledJob]]


def every(seconds: float) -> Callable[[], float]:
    return lambda: seconds


def daily_at(at: time, tz: str, clock: Clock = SYSTEM_CLOCK) -> Callable[[], float]:
    """Seconds until the next `at` wall-clock time in time zone `tz` (e.g. the past-due sweep)."""
    zone = ZoneInfo(tz)

    def delay() -> float:
        current = clock.now().astimezone(zone)
        target = datetime.combine(current.date(), at, tzinfo=zone)
        if target <= current:
            target = datetime.combine(current.date() + timedelta(days=1), at, tzinfo=zone)
        return (target - current).total_seconds()

    return delay


async def start_producer(producer: AIOKafkaProducer, stop: asyncio.Event, backoff: float = 1.0) -> bool:
    """Starts the producer, waiting for Kafka as long as it takes (or until stopped)."""
    while not stop.is_set():
        try:
            await producer.start()
            return True
        except KafkaError as exc:
            log.warning("Kafka not reachable yet (%s); retrying in %.0fs", exc, backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=backoff)
            backoff = min(backoff * 2, 15.0)
    return False


async def ensure_topics(bootstrap: str, topics: Sequence[str], partitions: int) -> None:
    """Creates the topics a service writes to (broker auto-creation would use its own defaults)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics if t not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica was quicker
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def _supervise(name: str, run: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
    """Restarts a component that crashed (e.g. Kafka gone), with backoff, until stopped."""
    backoff = 1.0
    while not stop.is_set():
        try:
            await run()
            backoff = 1.0
        except Exception:
            log.exception("%s crashed; restarting in %.0fs", name, backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=backoff)
            backoff = min(backoff * 2, 30.0)


async def _run_job(job: ScheduledJob, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=job.next_delay())
        if stop.is_set():
            return
        try:
            await job.run()
        except Exception:
            log.exception("scheduled job %s failed", job.name)


BACKLOG_MEASURE_INTERVAL_SECONDS = 5.0


async def _measure_backlog(engine: AsyncEngine, plumbing: PlumbingTables, stop: asyncio.Event) -> None:
    # apart from the relay, and from before Kafka is first reached: the backlog matters most
    # exactly when the relay cannot publish
    while not stop.is_set():
        await publish_backlog_metrics(engine, plumbing)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=BACKLOG_MEASURE_INTERVAL_SECONDS)


def consumer_settings(settings: ServiceSettings) -> ConsumerSettings:
    """The worker's consumer: one group per service (and topic prefix), tuned by the service's settings."""
    prefix = settings.kafka_topic_prefix
    return ConsumerSettings(
        group_id=f"{prefix}ar-{settings.service_name}",
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.kafka_client_id}-consumer",
        topic_prefix=prefix,
        max_retries=settings.consumer_max_retries,
        retry_backoff_seconds=settings.consumer_retry_backoff_seconds,
        retry_backoff_max_seconds=settings.consumer_retry_backoff_max_seconds,
        max_batch=settings.consumer_max_batch,
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
    )


async def run_worker(
    settings: ServiceSettings,
    plumbing: PlumbingTables,
    handlers: EventHandlers | None = None,
    jobs: JobsFactory | None = None,
    stop: asyncio.Event | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    """Runs until SIGTERM/SIGINT (or `stop`). `jobs(sessionmaker, clock)` builds the scheduled jobs."""
    configure_logging(f"{settings.service_name}-worker", settings.log_level)
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)

    engine = build_engine(settings)
    sessionmaker = build_sessionmaker(engine, clock)
    producer = build_producer(settings.kafka_bootstrap_servers, f"{settings.kafka_client_id}-worker")
    prefix = settings.kafka_topic_prefix
    measuring: asyncio.Task[None] | None = None
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, addr=settings.host)
        measuring = asyncio.create_task(_measure_backlog(engine, plumbing, stop), name="outbox-backlog")
    try:
        if not await start_producer(producer, stop):
            return
        consuming = handlers is not None and bool(handlers.topics())
        own_topics = [f"{prefix}{settings.service_name}.events"]
        if consuming:
            own_topics.append(consumer_settings(settings).dead_letter_topic)
        await ensure_topics(settings.kafka_bootstrap_servers, own_topics, settings.kafka_topic_partitions)
        relay = OutboxRelay(
            engine,
            plumbing,
            producer,
            asyncpg_dsn(settings.database_url.get_secret_value()),
            RelaySettings(
                batch_size=settings.outbox_batch_size,
                poll_interval_seconds=settings.outbox_poll_interval_seconds,
                topic_prefix=settings.kafka_topic_prefix,
                retention=timedelta(hours=settings.outbox_retention_hours),
            ),
            producer_factory=lambda: build_producer(
                settings.kafka_bootstrap_servers, f"{settings.kafka_client_id}-relay"
            ),
        )
        tasks = [asyncio.create_task(_supervise("outbox relay", lambda: relay.run(stop), stop))]
        if handlers is not None and consuming:

            async def consume() -> None:
                runner = ConsumerRunner(
                    consumer_settings(settings), handlers, sessionmaker, plumbing, producer, clock
                )
                await runner.run(stop)

            tasks.append(asyncio.create_task(_supervise("event consumer", consume, stop)))
        housekeeping = ScheduledJob(
            "purge published outbox rows", _discard(relay.purge_published), every(3600)
        )
        for job in [housekeeping, *(jobs(sessionmaker, clock) if jobs else [])]:
            tasks.append(asyncio.create_task(_run_job(job, stop)))
        settle_garbage_collector()
        log.info("worker started", extra={"tasks": len(tasks)})
        await stop.wait()
        # let the relay finish its batch and the consumer commit its last offset, then insist
        _, pending = await asyncio.wait(tasks, timeout=10)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        if measuring is not None:
            measuring.cancel()
            await asyncio.gather(measuring, return_exceptions=True)
        await producer.stop()
        await engine.dispose()
        log.info("worker stopped")


# Collections of the youngest generation once this many container objects were allocated (Python's
# default is 700). A consumer allocates several hundred objects per event (envelopes, payloads,
# rows): at the default the collector ran every few events and took a third of the worker's CPU.
GC_YOUNG_THRESHOLD = 10_000


def settle_garbage_collector() -> None:
    """Tunes the cyclic garbage collector for a long-running worker, once it has started.

    Everything built at start (modules, models, metadata, compiled schemas) lives as long as the
    process: frozen, the collector no longer scans it at every full collection. Young collections
    run less often; what they free is freed a few thousand objects later. Memory is freed as
    before by reference counting, which is where nearly all of it goes.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def _discard(run: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    async def wrapper() -> None:
        await run()

    return wrapper
