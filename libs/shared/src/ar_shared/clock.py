"""The one injectable clock: timestamps, retries, token expiry and default business dates read it.

Nothing in the platform calls `datetime.now()` itself. An app holds its clock on
`app.state.clock` (the `AppClock` dependency), a worker hands it to its consumers and jobs,
and every session a sessionmaker opens carries it in `session.info`, so code that only has
the unit of work (the audit log, the outbox) stamps the same time. Tests pin a `ManualClock`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock (what every process uses outside tests)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved: tests decide what time it is."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time carries its time zone")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("a clock's time carries its time zone")
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


SYSTEM_CLOCK = SystemClock()


def local_date(clock: Clock, time_zone: str) -> date:
    """Today's calendar date in `time_zone` by `clock` (e.g. an entity's default business date)."""
    return clock.now().astimezone(ZoneInfo(time_zone)).date()


def session_clock(session: AsyncSession) -> Clock:
    """The clock of the app or worker that opened `session` (set by `build_sessionmaker`)."""
    clock: Clock = session.info.get("clock", SYSTEM_CLOCK)
    return clock


async def _app_clock(request: Request) -> Clock:  # async: no worker thread
    clock: Clock = request.app.state.clock
    return clock


# the clock of the app serving the request: endpoints pass `clock.now()` (or a date) to rules
AppClock = Annotated[Clock, Depends(_app_clock)]
