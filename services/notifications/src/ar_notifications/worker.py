"""The notifications worker: outbox relay, event consumers and the delivery dispatcher."""

from __future__ import annotations

import asyncio
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_notifications.config import NotificationsSettings, get_settings
from ar_notifications.consumers import handlers
from ar_notifications.delivery.senders import Senders
from ar_notifications.delivery.service import dispatch_due
from ar_notifications.models import plumbing
from ar_shared.clock import Clock
from ar_shared.worker import ScheduledJob, every, run_worker


def scheduled_jobs(
    settings: NotificationsSettings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> list[ScheduledJob]:
    senders = Senders.from_settings(settings, clock)

    async def dispatch() -> None:
        await dispatch_due(sessionmaker, settings, senders, clock.now())

    return [ScheduledJob("deliveries", dispatch, every(settings.dispatch_interval_seconds))]


def main() -> None:
    settings = get_settings()
    asyncio.run(run_worker(settings, plumbing, handlers, jobs=partial(scheduled_jobs, settings)))
