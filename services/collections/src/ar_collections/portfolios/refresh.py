"""Balance bands move with every invoice and payment: the worker re-assesses, every minute or so,
the accounts whose open items changed, instead of running the rules inside each money event
(the projection keeps up with bulk ingestion that way)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_collections.access import SYSTEM_SUBJECT, act_as_system
from ar_collections.accounts.repository import AccountRepository
from ar_collections.calendars import service as calendars
from ar_collections.models import AssignmentRule
from ar_collections.portfolios import assignment
from ar_shared.audit.log import SystemActor
from ar_shared.clock import Clock

# a change is looked at again within this window, so one committed late (its `changed_at` is
# its transaction's start) is never missed; looking twice changes nothing
OVERLAP = timedelta(minutes=10)


class BalanceBandRefresh:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, default_zone: str
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._zone = default_zone
        self._since: datetime | None = None  # the first run looks at the last day

    async def run_once(self) -> None:
        await self.run()

    async def run(self) -> int:
        """Moves the accounts whose band changed; returns how many moved."""
        async with self._sessionmaker() as session, session.begin():
            await act_as_system(session)
            # the database's clock, as `changed_at` is: a change marker, not a business date
            started = await session.scalar(select(func.now()))
            assert started is not None
            since = self._since or started - timedelta(days=1)
            banded = await session.scalar(
                select(AssignmentRule.id).where(AssignmentRule.balance_currency.is_not(None)).limit(1)
            )
            moved = 0
            if banded is not None:
                changed = await AccountRepository(session).changed_since(since - OVERLAP)
                if changed:
                    known = await calendars.load(session, self._clock, self._zone)
                    _, moves = await assignment.reassess(
                        session, changed, actor=SystemActor(SYSTEM_SUBJECT), today=known.today
                    )
                    moved = len(moves)
        self._since = started
        return moved
