"""The ledger worker: outbox relay, and the close of business of every entity whose calendar
date turned (past-due sweep, then BusinessDateChanged, for each day)."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_ledger.business_dates.closing import close_due_entities
from ar_ledger.config import LedgerSettings, get_settings
from ar_ledger.consumers import handlers
from ar_ledger.models import plumbing
from ar_shared.clock import Clock
from ar_shared.worker import ScheduledJob, every, run_worker

log = logging.getLogger(__name__)


def scheduled_jobs(
    settings: LedgerSettings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> list[ScheduledJob]:
    async def close_of_business() -> None:
        # each entity turns at midnight in its own time zone: looking often closes each day soon
        # after it began, wherever the entity is; an entity set by hand has nothing to close here
        await close_due_entities(
            sessionmaker,
            clock,
            default_time_zone=settings.business_time_zone,
            edges=settings.aging_edges,
            max_days_per_transaction=settings.max_business_days_per_change,
        )

    return [
        ScheduledJob(
            "close of business", close_of_business, every(settings.close_of_business_interval_seconds)
        )
    ]


def main() -> None:
    settings = get_settings()
    asyncio.run(run_worker(settings, plumbing, handlers, jobs=partial(scheduled_jobs, settings)))
