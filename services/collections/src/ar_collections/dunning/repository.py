"""SQL of dunning: strategies, segments, pauses, cycles, fired steps and runs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.domain import dunning
from ar_collections.models import (
    Account,
    Collector,
    DunningPause,
    DunningState,
    DunningStepFired,
    DunningStrategy,
    OpenItem,
    Portfolio,
    StrategyRun,
    StrategySegment,
    Team,
)
from ar_shared.repository import Repository


class StrategyRepository(Repository[DunningStrategy]):
    model = DunningStrategy

    async def version(self, name: str, version: int, *, lock: bool = False) -> DunningStrategy | None:
        query = select(DunningStrategy).where(
            DunningStrategy.name == name, DunningStrategy.version == version
        )
        if lock:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def latest_version(self, name: str) -> int:
        found = await self.session.scalar(
            select(func.max(DunningStrategy.version)).where(DunningStrategy.name == name)
        )
        return int(found or 0)

    async def lock_name(self, name: str) -> None:
        """Serialises new versions of one name (the unique key would refuse the loser anyway)."""
        await self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"strategy:{name}"))))

    async def all(self) -> Sequence[DunningStrategy]:
        query = select(DunningStrategy).order_by(DunningStrategy.name, DunningStrategy.version)
        return (await self.session.scalars(query)).all()

    async def latest(self) -> dict[str, DunningStrategy]:
        """The newest version of each name: what the next run applies."""
        newest = (
            select(DunningStrategy.name, func.max(DunningStrategy.version).label("version"))
            .group_by(DunningStrategy.name)
            .subquery()
        )
        query = select(DunningStrategy).join(
            newest, (newest.c.name == DunningStrategy.name) & (newest.c.version == DunningStrategy.version)
        )
        return {s.name: s for s in (await self.session.scalars(query)).all()}

    async def mark_in_use(self, ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(
            update(DunningStrategy)
            .where(DunningStrategy.id.in_(ids), DunningStrategy.in_use.is_(False))
            .values(in_use=True)
        )


class SegmentRepository(Repository[StrategySegment]):
    model = StrategySegment

    async def in_order(self) -> Sequence[StrategySegment]:
        query = select(StrategySegment).order_by(StrategySegment.priority)
        return (await self.session.scalars(query)).all()

    async def lock(self) -> None:
        await self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext("strategy_segments"))))


class PauseRepository(Repository[DunningPause]):
    model = DunningPause

    async def of_account(self, customer_id: uuid.UUID) -> Sequence[DunningPause]:
        query = (
            select(DunningPause)
            .where(DunningPause.customer_id == customer_id)
            .order_by(DunningPause.created_at.desc(), DunningPause.id)
        )
        return (await self.session.scalars(query)).all()

    async def live_items(self, customer_ids: Sequence[uuid.UUID], as_of: date) -> set[uuid.UUID]:
        """The open items a live pause covers on `as_of`."""
        query = select(DunningPause.invoice_id).where(
            DunningPause.customer_id.in_(customer_ids),
            DunningPause.lifted_at.is_(None),
            DunningPause.ends_on >= as_of,
        )
        return set((await self.session.scalars(query)).all())


class DunningRepository:
    """What a strategy run reads and writes per account."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def accounts_with_open_items(
        self, business_entity: str, *, after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        """The next chunk of the entity's accounts that have open items or a dunning state (a
        state without open items may need its cycle closed), by id."""
        with_items = select(OpenItem.customer_id).where(OpenItem.open_minor > 0)
        with_state = select(DunningState.customer_id).where(
            (DunningState.level_days.is_not(None)) | DunningState.overdue_seen
        )
        query = (
            select(Account.customer_id)
            .where(
                Account.business_entity == business_entity,
                or_(Account.customer_id.in_(with_items), Account.customer_id.in_(with_state)),
            )
            .order_by(Account.customer_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(Account.customer_id > after)
        return list((await self.session.scalars(query)).all())

    async def open_items(self, customer_ids: Sequence[uuid.UUID]) -> Sequence[OpenItem]:
        query = (
            select(OpenItem)
            .where(OpenItem.customer_id.in_(customer_ids), OpenItem.open_minor > 0)
            .order_by(OpenItem.customer_id, OpenItem.due_date, OpenItem.invoice_number)
        )
        return (await self.session.scalars(query)).all()

    async def accounts(self, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Account]:
        query = select(Account).where(Account.customer_id.in_(customer_ids))
        return {a.customer_id: a for a in (await self.session.scalars(query)).all()}

    async def states(self, customer_ids: Sequence[uuid.UUID], *, lock: bool) -> dict[uuid.UUID, DunningState]:
        query = select(DunningState).where(DunningState.customer_id.in_(customer_ids))
        if lock:
            query = query.with_for_update()
        return {s.customer_id: s for s in (await self.session.scalars(query)).all()}

    async def ensure_states(self, customer_ids: Sequence[uuid.UUID]) -> None:
        if customer_ids:
            await self.session.execute(
                insert(DunningState)
                .values([{"customer_id": c} for c in customer_ids])
                .on_conflict_do_nothing()
            )

    async def claim_step(self, fired: DunningStepFired) -> bool:
        """Records the step as fired; False when it fired already (another run got there)."""
        statement = (
            insert(DunningStepFired)
            .values(
                id=fired.id,
                customer_id=fired.customer_id,
                cycle=fired.cycle,
                step_days=fired.step_days,
                action=fired.action,
                strategy_name=fired.strategy_name,
                strategy_version=fired.strategy_version,
                run_id=fired.run_id,
                fired_on=fired.fired_on,
                detail=fired.detail,
            )
            .on_conflict_do_nothing(constraint="uq_dunning_step_once")
            .returning(DunningStepFired.id)
        )
        return (await self.session.scalar(statement)) is not None

    async def record_detail(self, fired_id: uuid.UUID, detail: dict[str, Any]) -> None:
        await self.session.execute(
            update(DunningStepFired).where(DunningStepFired.id == fired_id).values(detail=detail)
        )

    async def managers(self, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        """The manager of the team of each account's collector (escalations go there)."""
        query = (
            select(Account.customer_id, Team.manager_subject)
            .join(Portfolio, Portfolio.id == Account.portfolio_id)
            .join(Collector, Collector.subject == Portfolio.collector_subject)
            .join(Team, Team.id == Collector.team_id)
            .where(Account.customer_id.in_(customer_ids))
        )
        return {row.customer_id: row.manager_subject for row in (await self.session.execute(query)).all()}

    async def fired(self, customer_id: uuid.UUID, limit: int = 50) -> Sequence[DunningStepFired]:
        query = (
            select(DunningStepFired)
            .where(DunningStepFired.customer_id == customer_id)
            .order_by(DunningStepFired.fired_on.desc(), DunningStepFired.step_days.desc())
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def letters(self, customer_id: uuid.UUID, limit: int) -> Sequence[DunningStepFired]:
        """The account's message steps that asked for a letter, latest first."""
        query = (
            select(DunningStepFired)
            .where(
                DunningStepFired.customer_id == customer_id,
                DunningStepFired.action.in_(dunning.MESSAGE_ACTIONS),
                DunningStepFired.detail.has_key("request_id"),
            )
            .order_by(DunningStepFired.fired_on.desc(), DunningStepFired.step_days.desc())
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()


class RunRepository(Repository[StrategyRun]):
    model = StrategyRun

    async def last_as_of(self, business_entity: str) -> date | None:
        found: date | None = await self.session.scalar(
            select(func.max(StrategyRun.as_of)).where(StrategyRun.business_entity == business_entity)
        )
        return found

    async def lock_entity(self, business_entity: str) -> None:
        """One run of an entity at a time is started (the date check then sees the others)."""
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"strategy_run:{business_entity}")))
        )

    async def pending(self) -> Sequence[StrategyRun]:
        query = select(StrategyRun).where(StrategyRun.status == "pending").order_by(StrategyRun.created_at)
        return (await self.session.scalars(query)).all()

    async def add_counts(
        self, run_id: uuid.UUID, seen: int, fired: dict[str, int], skipped: dict[str, int]
    ) -> None:
        """Adds a chunk's counts to the run (JSON objects merged key by key)."""
        run = await self.get_for_update(run_id)
        assert run is not None
        run.accounts_seen += seen
        run.fired = _merged(run.fired, fired)
        run.skipped = _merged(run.skipped, skipped)
        await self.session.flush()


def _merged(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out
