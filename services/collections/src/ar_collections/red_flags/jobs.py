"""The red-flag jobs of the close of business. The business date's transaction only asks for the
entity's job for the date, with the kinds of flag whose figures can have changed since its last
job (`kinds_to_judge`: ADD at a month's turn, the others every date); the worker runs it after that
commits, each job in a transaction of its own that also marks it completed, the jobs of one entity
one at a time in date order (each flag keeps the date the job of today's code would raise it on).
A job that fails is rolled back alone and stays pending with its error, retried after a wait that
doubles with each failure (`COLLECTIONS_RED_FLAG_JOB_RETRY_SECONDS`, at most
`COLLECTIONS_RED_FLAG_JOB_RETRY_MAX_SECONDS`: a job that keeps failing does not take the worker's
time at every poll); the entity's later jobs wait for it, and the gauge
`ar_collections_red_flag_jobs_failing` counts the jobs waiting after a failure, to alert on. The
business date never waits for, nor rolls back with, it."""

from __future__ import annotations

import logging
import uuid
from datetime import date

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_collections.access import SYSTEM_SUBJECT, act_as_system
from ar_collections.config import CollectionsSettings
from ar_collections.domain.scorecards import FLAG_KINDS, kinds_to_judge
from ar_collections.red_flags import service
from ar_collections.red_flags.repository import RedFlagJobRepository
from ar_collections.red_flags.schemas import RedFlagJob
from ar_shared.audit.log import SystemActor
from ar_shared.backoff import backoff
from ar_shared.clock import Clock
from ar_shared.pagination import Page, PageParams, decode_cursor, page_from_rows

log = logging.getLogger(__name__)
SYSTEM = SystemActor(SYSTEM_SUBJECT)
ERROR_KEPT = 2000  # characters of a failure's message kept on the job
FAILING = Gauge(
    "ar_collections_red_flag_jobs_failing",
    "Red-flag jobs pending after at least one failed attempt (the entity's later jobs wait for them)",
)


async def ask(session: AsyncSession, business_entity: str, as_of: date) -> None:
    """The close of business of `as_of` asks for the entity's job; an announcement of a date asked
    for already, or older (a replay), asks for nothing."""
    jobs = RedFlagJobRepository(session)
    last = await jobs.last_asked(business_entity)
    if last is not None and as_of <= last:
        return
    await jobs.ask(business_entity, as_of, kinds_to_judge(last, as_of))


class RedFlagJobRunner:
    """Runs the pending jobs through the sessions of `sessionmaker`, a transaction per job."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: CollectionsSettings
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._settings = settings

    async def run_pending(self) -> int:
        """Every entity's pending jobs, oldest date first; returns how many completed."""
        async with self._sessionmaker() as session:
            await act_as_system(session)
            entities = await RedFlagJobRepository(session).entities_with_pending()
        if not entities:
            FAILING.set(0)
            return 0
        completed = 0
        for entity in entities:
            completed += await self._run_entity(entity)
        async with self._sessionmaker() as session:
            await act_as_system(session)
            FAILING.set(await RedFlagJobRepository(session).failing())
        return completed

    async def run_pending_once(self) -> None:
        await self.run_pending()

    async def _run_entity(self, business_entity: str) -> int:
        completed = 0
        while True:
            job_id: uuid.UUID | None = None
            try:
                async with self._sessionmaker() as session, session.begin():
                    await act_as_system(session)
                    jobs = RedFlagJobRepository(session)
                    if not await jobs.take_entity(business_entity):
                        return completed  # another worker runs the entity's jobs
                    job = await jobs.oldest_pending(business_entity)
                    if job is None or (job.retry_at is not None and job.retry_at > self._clock.now()):
                        return completed  # none, or waiting after a failure (the later ones wait too)
                    job_id = job.id
                    kinds = [k for k in FLAG_KINDS if k in job.kinds]
                    raised = await service.run(
                        session, SYSTEM, job.as_of, business_entity, self._settings, kinds
                    )
                    job.status, job.raised, job.finished_at = "completed", len(raised), self._clock.now()
                    job.retry_at = None
            except Exception as error:
                # the job's writes are rolled back; it stays pending and the entity's later jobs
                # wait, so each flag is still raised on the date it would have been
                if job_id is None:
                    raise
                log.exception("red-flag job %s of %s failed; it will be retried", job_id, business_entity)
                await self._failed(job_id, error)
                return completed
            completed += 1

    async def _failed(self, job_id: uuid.UUID, error: Exception) -> None:
        async with self._sessionmaker() as session, session.begin():
            await act_as_system(session)
            job = await RedFlagJobRepository(session).get_for_update(job_id)
            if job is not None and job.status == "pending":
                job.attempts += 1
                job.last_error = f"{type(error).__name__}: {error}"[:ERROR_KEPT]
                wait = backoff(
                    self._settings.red_flag_job_retry_seconds,
                    job.attempts,
                    self._settings.red_flag_job_retry_max_seconds,
                )
                job.retry_at = self._clock.now() + wait


async def list_jobs(
    session: AsyncSession, business_entity: str | None, status: str | None, page: PageParams
) -> Page[RedFlagJob]:
    after = decode_cursor(page.cursor, date, uuid.UUID) if page.cursor else None
    rows = await RedFlagJobRepository(session).newest_first(
        business_entity, status, limit=page.limit + 1, after=after
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.as_of, r.id])
    return Page[RedFlagJob](items=[RedFlagJob.model_validate(r) for r in items], next_cursor=next_cursor)
