"""The collections worker: outbox relay, event consumers and scheduled jobs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_collections.config import get_settings
from ar_collections.consumers import handlers
from ar_collections.dunning.run import StrategyRuns
from ar_collections.models import plumbing
from ar_collections.portfolios.refresh import BalanceBandRefresh
from ar_collections.red_flags.jobs import RedFlagJobRunner
from ar_shared.clock import Clock
from ar_shared.worker import ScheduledJob, every, run_worker


def jobs(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> Sequence[ScheduledJob]:
    settings = get_settings()
    refresh = BalanceBandRefresh(sessionmaker, clock, settings.business_time_zone)
    runs = StrategyRuns(sessionmaker, clock, settings)
    red_flags = RedFlagJobRunner(sessionmaker, clock, settings)
    return [
        ScheduledJob("re-assess balance bands", refresh.run_once, every(settings.assignment_refresh_seconds)),
        ScheduledJob("strategy runs", runs.run_pending_once, every(settings.strategy_run_poll_seconds)),
        ScheduledJob("red-flag jobs", red_flags.run_pending_once, every(settings.red_flag_job_poll_seconds)),
    ]


def main() -> None:
    asyncio.run(run_worker(get_settings(), plumbing, handlers, jobs=jobs))
