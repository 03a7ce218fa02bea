"""The credit worker: outbox relay, ledger event consumers, and a daily policy evaluation
(days past due grow with the calendar, not only with events)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_credit.config import CreditSettings, get_settings
from ar_credit.consumers import handlers
from ar_credit.exposure.repository import ExposureRepository
from ar_credit.models import plumbing
from ar_credit.policies.service import evaluate
from ar_shared.clock import Clock, local_date
from ar_shared.worker import ScheduledJob, daily_at, run_worker

log = logging.getLogger(__name__)


async def evaluate_all(
    settings: CreditSettings, sessionmaker: async_sessionmaker[AsyncSession], today: date
) -> int:
    """Re-evaluates every customer with something overdue or a policy hold; one transaction each."""
    async with sessionmaker() as session:
        customers = await ExposureRepository(session).customers_to_evaluate(today)
    for customer_id in customers:
        async with sessionmaker() as session, session.begin():
            await evaluate(
                session, customer_id, today, include_disputed=settings.include_disputed_in_exposure
            )
    log.info("daily policy evaluation done", extra={"customers": len(customers), "as_of": str(today)})
    return len(customers)


def scheduled_jobs(
    settings: CreditSettings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> list[ScheduledJob]:
    async def run() -> None:
        await evaluate_all(settings, sessionmaker, local_date(clock, settings.business_time_zone))

    return [
        ScheduledJob(
            "policy evaluation", run, daily_at(settings.policy_check_at, settings.business_time_zone, clock)
        )
    ]


def main() -> None:
    settings = get_settings()
    asyncio.run(run_worker(settings, plumbing, handlers, jobs=partial(scheduled_jobs, settings)))
