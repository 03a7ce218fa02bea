"""SQL of dunning: strategies, segments, pauses, cycles, fired steps and runs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from pydantic_core import to_json
from sqlalchemy import ColumnElement, Row, Text, Uuid, any_, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.domain import dunning
from ar_collections.models import (
    ITEM_IS_OPEN,
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
            DunningPause.customer_id == any_of(customer_ids),
            DunningPause.lifted_at.is_(None),
            DunningPause.ends_on >= as_of,
        )
        return set((await self.session.scalars(query)).all())


def any_of(customer_ids: Sequence[uuid.UUID]) -> ColumnElement[Any]:
    """`= ANY(array)`: one parameter whatever the chunk's size (an IN list binds one each)."""
    return any_(literal(list(customer_ids), ARRAY(Uuid)))


@dataclass(frozen=True, slots=True)
class DunnedAccount:
    """What a run reads of an account (the columns of `accounts`, and its team's manager)."""

    customer_id: uuid.UUID
    name: str
    contact_email: str | None
    currency: str
    business_entity: str
    manager: str | None


@dataclass(frozen=True, slots=True)
class DunnedItem:
    """What a run reads of an open item (the columns of `open_items`)."""

    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    due_date: date
    currency: str
    exponent: int
    open_minor: int


DUNNED_ACCOUNT = [f.name for f in fields(DunnedAccount)]
DUNNED_ITEM = [f.name for f in fields(DunnedItem)]


class FiredRow(TypedDict):
    """A step fired, as `claim_steps` writes it (the columns of `dunning_steps_fired`)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    cycle: int
    step_days: int
    action: str
    strategy_name: str
    strategy_version: int
    run_id: uuid.UUID
    fired_on: date
    detail: dict[str, Any]


class StateRow(TypedDict):
    """An account's dunning state after a run, as `save_states` writes it."""

    customer_id: uuid.UUID
    cycle: int
    overdue_seen: bool
    level_days: int | None
    level_action: str | None
    strategy_name: str | None
    strategy_version: int | None
    last_run_on: date


class DunningRepository:
    """What a strategy run reads and writes per account."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def accounts_to_judge(
        self, business_entity: str, as_of: date, quiet_below: int
    ) -> tuple[list[uuid.UUID], int]:
        """The entity's accounts a run must judge, by id, and how many it may leave as quiet, in
        one statement: an account with open items is quiet when its oldest open item is fewer
        than `quiet_below` days past due and its cycle is fresh (domain/dunning.py `is_quiet`);
        an account with a cycle under way is judged even with nothing open (it may be cured)."""
        oldest = (
            select(OpenItem.customer_id, func.min(OpenItem.due_date).label("due"))
            .join(Account, Account.customer_id == OpenItem.customer_id)
            .where(ITEM_IS_OPEN, Account.business_entity == business_entity)
            .group_by(OpenItem.customer_id)
            .subquery()
        )
        under_way = DunningState.level_days.is_not(None) | DunningState.overdue_seen
        judged = func.coalesce(under_way, False) | (oldest.c.due <= as_of - timedelta(days=quiet_below))
        query = (
            select(
                func.array_agg(aggregate_order_by(Account.customer_id, Account.customer_id)).filter(judged),
                func.count().filter(~judged),
            )
            .select_from(Account)
            .outerjoin(oldest, oldest.c.customer_id == Account.customer_id)
            .outerjoin(DunningState, DunningState.customer_id == Account.customer_id)
            .where(
                Account.business_entity == business_entity,
                oldest.c.customer_id.is_not(None) | func.coalesce(under_way, False),
            )
        )
        ids, quiet = (await self.session.execute(query)).one()
        return list(ids or []), int(quiet)

    async def open_items(self, customer_ids: Sequence[uuid.UUID]) -> list[DunnedItem]:
        """The accounts' open items, by account, oldest first (driver records: a chunk has
        hundreds)."""
        query = (
            select(*(OpenItem.__table__.c[n] for n in DUNNED_ITEM))
            .where(OpenItem.customer_id == any_of(customer_ids), ITEM_IS_OPEN)
            .order_by(OpenItem.customer_id, OpenItem.due_date, OpenItem.invoice_number)
        )
        return [DunnedItem(*row) for row in await self.session.execute(query)]

    async def accounts(self, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DunnedAccount]:
        """The accounts with the manager of their collector's team (escalations go there)."""
        query = (
            select(
                *(Account.__table__.c[n] for n in DUNNED_ACCOUNT if n != "manager"),
                Team.manager_subject.label("manager"),
            )
            .outerjoin(Portfolio, Portfolio.id == Account.portfolio_id)
            .outerjoin(Collector, Collector.subject == Portfolio.collector_subject)
            .outerjoin(Team, Team.id == Collector.team_id)
            .where(Account.customer_id == any_of(customer_ids))
        )
        # the columns in the dataclass's order (the manager last): built positionally
        return {row[0]: DunnedAccount(*tuple(row)) for row in await self.session.execute(query)}

    async def states(self, customer_ids: Sequence[uuid.UUID], *, lock: bool) -> dict[uuid.UUID, Row[Any]]:
        """The accounts' dunning states as driver records (the columns `save_states` writes)."""
        table = DunningState.__table__
        query = select(*(table.c[n] for n in StateRow.__annotations__)).where(
            DunningState.customer_id == any_of(customer_ids)
        )
        if lock:
            query = query.with_for_update()
        return {row.customer_id: row for row in await self.session.execute(query)}

    async def ensure_states(self, customer_ids: Sequence[uuid.UUID]) -> None:
        if customer_ids:
            ids = func.unnest(literal(list(customer_ids), ARRAY(Uuid))).column_valued("customer_id")
            await self.session.execute(
                insert(DunningState).from_select(["customer_id"], select(ids)).on_conflict_do_nothing()
            )

    async def claim_steps(self, fired: Sequence[FiredRow]) -> set[uuid.UUID]:
        """Records the steps as fired (one statement, one array per column: compiled once);
        returns the ids of those recorded now (a step that fired already, in another run or a
        retried chunk, is left out)."""
        if not fired:
            return set()
        names = list(FiredRow.__annotations__)
        table = DunningStepFired.__table__
        arrays = [
            # the details travel as JSON text (an array of jsonb is not bound as such)
            literal([to_json(f["detail"]).decode() for f in fired], ARRAY(Text))
            if n == "detail"
            else literal([f[n] for f in fired], ARRAY(table.c[n].type))  # type: ignore[literal-required]
            for n in names
        ]
        rows = func.unnest(*arrays).table_valued(*names).render_derived(name="fired")
        columns = [cast(rows.c[n], JSONB) if n == "detail" else rows.c[n] for n in names]
        statement = (
            insert(DunningStepFired)
            .from_select(names, select(*columns))
            .on_conflict_do_nothing(constraint="uq_dunning_step_once")
            .returning(DunningStepFired.id)
        )
        return set((await self.session.scalars(statement)).all())

    async def record_detail(self, fired_id: uuid.UUID, detail: dict[str, Any]) -> None:
        await self.session.execute(
            update(DunningStepFired).where(DunningStepFired.id == fired_id).values(detail=detail)
        )

    async def save_states(self, states: Sequence[StateRow]) -> None:
        """Accounts' dunning states, by customer id, in one statement (one array per column:
        the statement is the same whatever the number of accounts, compiled once)."""
        if not states:
            return
        names = list(StateRow.__annotations__)
        table = DunningState.__table__
        arrays = [
            literal([s[n] for s in states], ARRAY(table.c[n].type))  # type: ignore[literal-required]
            for n in names
        ]
        rows = func.unnest(*arrays).table_valued(*names).render_derived(name="next_state")
        await self.session.execute(
            update(DunningState)
            .where(DunningState.customer_id == rows.c.customer_id)
            .values({n: rows.c[n] for n in names if n != "customer_id"})
            .execution_options(synchronize_session=False)
        )

    async def managers(self, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        """The manager of the team of each account's collector (escalations go there)."""
        query = (
            select(Account.customer_id, Team.manager_subject)
            .join(Portfolio, Portfolio.id == Account.portfolio_id)
            .join(Collector, Collector.subject == Portfolio.collector_subject)
            .join(Team, Team.id == Collector.team_id)
            .where(Account.customer_id == any_of(customer_ids))
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


@dataclass(frozen=True)
class RunFilter:
    business_entity: str | None = None
    as_of_from: date | None = None
    as_of_to: date | None = None
    status: str | None = None
    trigger: str | None = None


class RunRepository(Repository[StrategyRun]):
    model = StrategyRun

    async def newest_first(
        self, where: RunFilter, *, limit: int, after: tuple[date, datetime, uuid.UUID] | None
    ) -> Sequence[StrategyRun]:
        """Latest business date first (then latest recorded), keyset-paged on (as_of, created_at, id)."""
        query = self.select()
        if where.business_entity is not None:
            query = query.where(StrategyRun.business_entity == where.business_entity)
        if where.as_of_from is not None:
            query = query.where(StrategyRun.as_of >= where.as_of_from)
        if where.as_of_to is not None:
            query = query.where(StrategyRun.as_of <= where.as_of_to)
        if where.status is not None:
            query = query.where(StrategyRun.status == where.status)
        if where.trigger is not None:
            query = query.where(StrategyRun.trigger == where.trigger)
        keys = [StrategyRun.as_of, StrategyRun.created_at, StrategyRun.id]
        return await self.keyset_page(query, keys, after, limit, newest_first=True)

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
