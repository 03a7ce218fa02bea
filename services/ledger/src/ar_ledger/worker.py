"""The ledger worker: outbox relay, and the daily past-due sweep in the business time zone."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_ledger.config import LedgerSettings, get_settings
from ar_ledger.consumers import handlers
from ar_ledger.models import plumbing
from ar_ledger.past_due.service import sweep
from ar_shared.clock import Clock, local_date
from ar_shared.worker import ScheduledJob, daily_at, run_worker

log = logging.getLogger(__name__)


def scheduled_jobs(
    settings: LedgerSettings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> list[ScheduledJob]:
    async def daily_sweep() -> None:
        business_date = local_date(clock, settings.business_time_zone)
        async with sessionmaker() as session, session.begin():
            result = await sweep(session, business_date, settings.aging_edges)
        log.info(
            "past-due sweep done",
            extra={
                "as_of": str(result.as_of),
                "overdue": result.accounts_overdue,
                "emitted": result.events_emitted,
            },
        )

    return [
        ScheduledJob(
            "past-due sweep",
            daily_sweep,
            daily_at(settings.past_due_sweep_at, settings.business_time_zone, clock),
        )
    ]


def main() -> None:
    settings = get_settings()
    asyncio.run(run_worker(settings, plumbing, handlers, jobs=partial(scheduled_jobs, settings)))
