"""The outbox backlog (events written but not yet on Kafka) as Prometheus gauges."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from ar_shared.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from ar_shared.plumbing import PlumbingTables

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxBacklog:
    events: int
    oldest_age_seconds: float  # 0 when nothing waits


async def measure_backlog(engine: AsyncEngine, tables: PlumbingTables) -> OutboxBacklog:
    o = tables.outbox
    waiting = o.c.published_at.is_(None)
    # The oldest by id, through the partial index on unpublished ids, not min(created_at) over
    # the whole backlog: ids follow insertion order. The age is taken against the database's own
    # clock, the one that stamped created_at.
    oldest = select(o.c.created_at).where(waiting).order_by(o.c.id).limit(1).scalar_subquery()
    age = func.coalesce(func.extract("epoch", func.now() - oldest), 0)
    query = select(select(func.count()).select_from(o).where(waiting).scalar_subquery(), age)
    async with engine.connect() as conn:
        events, age_seconds = (await conn.execute(query)).one()
    return OutboxBacklog(int(events), max(float(age_seconds), 0.0))


async def publish_backlog_metrics(engine: AsyncEngine, tables: PlumbingTables) -> OutboxBacklog | None:
    """Sets `ar_outbox_backlog` and `ar_outbox_oldest_unpublished_age_seconds` for the schema.

    None when the database did not answer: the gauges keep their last value and the rest of a
    scrape is still served.
    """
    try:
        async with asyncio.timeout(3):
            backlog = await measure_backlog(engine, tables)
    except Exception as exc:
        log.warning("could not measure the outbox backlog: %s", exc, extra={"schema": tables.schema})
        return None
    OUTBOX_BACKLOG.labels(tables.schema).set(backlog.events)
    OUTBOX_OLDEST_AGE.labels(tables.schema).set(backlog.oldest_age_seconds)
    return backlog
