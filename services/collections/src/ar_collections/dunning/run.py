"""The strategy run of a business entity for a business date.

One statement picks the accounts to judge: quiet accounts (no step of any strategy within reach
of their oldest open item, a fresh cycle) are only counted. The others are taken in chunks
(`strategy_run_chunk`, by id), each chunk in a transaction of its own: its steps fired (claimed
in one statement), tasks, outbox events (one statement each), cycles and the run's counts commit
together, so a run over many accounts never holds one transaction and a crash loses at most the
chunk under way (a rerun for the same date fires what is left, nothing twice:
`dunning_steps_fired` is unique per account, cycle and step). The versions of the strategies are
read once, when the run starts, and marked in use. A dry run reads the same way and writes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_collections.access import SYSTEM_SUBJECT, act_as_system
from ar_collections.accounts.repository import AccountRepository
from ar_collections.config import CollectionsSettings
from ar_collections.contact_policy.service import barred
from ar_collections.domain import dunning
from ar_collections.domain import experiments as rules
from ar_collections.domain.assignment import Rule
from ar_collections.dunning import actions
from ar_collections.dunning.repository import (
    DunnedItem,
    DunningRepository,
    FiredRow,
    PauseRepository,
    RunRepository,
    SegmentRepository,
    StateRow,
    StrategyRepository,
)
from ar_collections.dunning.schemas import PlannedStep, Run
from ar_collections.dunning.strategies import first_segment, segment_rules, steps_of
from ar_collections.experiments import service as experiments
from ar_collections.experiments.repository import ExperimentRepository
from ar_collections.experiments.service import RunningExperiment
from ar_collections.models import (
    DunningStrategy,
    StrategyRun,
    StrategySegment,
)
from ar_collections.portfolios.assignment import facts_of
from ar_shared.clock import Clock
from ar_shared.problems import Conflict, FieldError, NotFound

PLANNED_LIMIT = 1000


@dataclass
class Snapshot:
    segments: Sequence[StrategySegment]
    strategies: dict[str, DunningStrategy]
    steps: dict[str, list[dunning.Step]]
    experiments: dict[uuid.UUID, RunningExperiment] = field(default_factory=dict)  # by segment id
    segment_rules: list[tuple[StrategySegment, Rule]] = field(init=False)  # matched per account
    balance_bands: bool = field(init=False)  # whether any segment's rule reads a balance

    def __post_init__(self) -> None:
        self.segment_rules = segment_rules(self.segments)
        self.balance_bands = any(rule.balance_currency is not None for _, rule in self.segment_rules)


@dataclass
class Tally:
    seen: int = 0
    fired: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    planned: list[PlannedStep] = field(default_factory=list)


async def snapshot(session: AsyncSession, *, mark_in_use: bool) -> Snapshot:
    segments = await SegmentRepository(session).in_order()
    repo = StrategyRepository(session)
    latest = await repo.latest()
    trials = await experiments.running_by_segment(session)
    arms = {arm.strategy for trial in trials.values() for arm in trial.arms}
    used = ({s.strategy_name for s in segments} | arms) & latest.keys()
    if mark_in_use:
        await repo.mark_in_use([latest[name].id for name in used])
    return Snapshot(segments, latest, {name: steps_of(s) for name, s in latest.items()}, trials)


def strategy_name(snap: Snapshot, segment: StrategySegment, customer_id: uuid.UUID) -> tuple[str, str | None]:
    """The segment's strategy, or the account's arm's while the segment is in an experiment."""
    trial = snap.experiments.get(segment.id)
    if trial is None:
        return segment.strategy_name, None
    arm = rules.arm_for(trial.id, customer_id, trial.arms)
    return arm.strategy, arm.name


async def request(
    session: AsyncSession, business_entity: str, as_of: date, *, trigger: str, requested_by: str, status: str
) -> StrategyRun:
    """Records a run (refused for a date before the entity's last run)."""
    runs = RunRepository(session)
    await runs.lock_entity(business_entity)
    await refuse_going_back(runs, business_entity, as_of)
    return await runs.add(
        StrategyRun(
            id=uuid.uuid4(),
            business_entity=business_entity,
            as_of=as_of,
            status=status,
            trigger=trigger,
            requested_by=requested_by,
        )
    )


async def ask(session: AsyncSession, business_entity: str, as_of: date) -> None:
    """A new business date asks for the entity's run (pending: the worker starts it). An
    announcement of a date already run, or older (a replay), asks for nothing."""
    runs = RunRepository(session)
    await runs.lock_entity(business_entity)
    last = await runs.last_as_of(business_entity)
    if last is not None and as_of <= last:
        return
    await request(
        session,
        business_entity,
        as_of,
        trigger="business_date_changed",
        requested_by=SYSTEM_SUBJECT,
        status="pending",
    )


async def refuse_going_back(runs: RunRepository, business_entity: str, as_of: date) -> None:
    last = await runs.last_as_of(business_entity)
    if last is not None and as_of < last:
        message = f"{business_entity} was run for {last} already: a run may not go back to {as_of}"
        raise Conflict(
            message,
            code="run_before_last_run",
            errors=[FieldError(field="as_of", message=message, code="run_before_last_run")],
        )


def _state_cycle(state: Row[Any] | None) -> dunning.Cycle:
    if state is None:
        return dunning.Cycle(1, False, None)
    return dunning.Cycle(state.cycle, state.overdue_seen, state.level_days)


async def dun_chunk(
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
    as_of: date,
    snap: Snapshot,
    catch_up: dunning.CatchUp,
    tally: Tally,
    run_id: uuid.UUID | None,
) -> None:
    """Decides (and, unless `run_id` is None, fires) each account's due steps."""
    dry = run_id is None
    planned: list[tuple[FiredRow, actions.Effects, actions.Firing | None]] = []
    entries: list[dict[str, object]] = []  # accounts entering an experiment's arm
    next_states: dict[uuid.UUID, StateRow] = {}
    repo = DunningRepository(session)
    accounts = await repo.accounts(ids)
    items: dict[uuid.UUID, list[DunnedItem]] = {}
    for item in await repo.open_items(ids):
        items.setdefault(item.customer_id, []).append(item)
    paused = await PauseRepository(session).live_items(ids, as_of)
    contact_barred = await barred(session, ids, dict.fromkeys(ids, as_of))
    # the open items are summed per currency only when a segment's rule has a balance band
    rows = await AccountRepository(session).rule_facts(ids, balances=snap.balance_bands)
    facts = {row.customer_id: facts_of(row) for row in rows}
    if not dry:
        await repo.ensure_states(ids)
    states = await repo.states(ids, lock=not dry)
    for customer_id in ids:
        tally.seen += 1
        account, own = accounts[customer_id], items.get(customer_id, [])
        listed = [
            dunning.OpenItemFacts(i.invoice_id, i.due_date, i.currency, i.open_minor, i.invoice_id in paused)
            for i in own
        ]
        # a cure is judged on every open item: a pause holds the steps, it does not end the cycle
        everything = [
            dunning.OpenItemFacts(f.invoice_id, f.due_date, f.currency, f.open_minor, False) for f in listed
        ]
        cycle = dunning.next_cycle(
            _state_cycle(states.get(customer_id)), dunning.days_past_due(everything, as_of)
        )
        dpd = dunning.days_past_due(listed, as_of)
        segment = first_segment(snap.segment_rules, facts[customer_id])
        name, arm = strategy_name(snap, segment, customer_id) if segment else (None, None)
        if arm is not None and own and not dry:
            assert segment is not None
            trial = snap.experiments[segment.id]
            entries.append(
                {"experiment_id": trial.id, "customer_id": customer_id, "arm": arm, "entered_on": as_of}
            )
        due: list[dunning.Step] = []
        if not own:
            reason: str | None = "nothing_open"
        elif name is None or name not in snap.steps:
            reason = "no_strategy"
        elif customer_id in contact_barred:
            reason = "do_not_contact"
        elif dpd is None:
            reason = "all_items_paused"
        else:
            due = dunning.due_steps(
                snap.steps[name],
                dpd,
                dunning.overdue_amounts(listed, as_of),
                cycle.level_days,
                catch_up,
            )
            reason = None if due else "nothing_due"
            if any(s.action in dunning.MESSAGE_ACTIONS for s in due) and not account.contact_email:
                reason, due = "no_contact_email", []
        if reason is not None:
            tally.skipped[reason] += 1
        strategy = snap.strategies[name] if name and due else None
        for step in due:
            assert strategy is not None
            assert dpd is not None
            if dry:
                tally.fired[step.action] += 1
                if len(tally.planned) < PLANNED_LIMIT:
                    tally.planned.append(
                        PlannedStep(
                            customer_id=customer_id, days_past_due=dpd, step_days=step.days,
                            action=step.action, strategy=strategy.name, strategy_version=strategy.version,
                        )
                    )  # fmt: skip
                continue
            assert run_id is not None
            unpaused = [i for i in own if i.invoice_id not in paused]
            firing = actions.Firing(
                run_id, account, step, strategy.name, strategy.version, cycle.number, as_of, unpaused,
            )  # fmt: skip
            # what the step would do, kept only if it is claimed below (its detail is recorded with it)
            effects = actions.Effects()
            fired = FiredRow(
                id=uuid.uuid4(), customer_id=customer_id, cycle=cycle.number, step_days=step.days,
                action=step.action, strategy_name=strategy.name, strategy_version=strategy.version,
                run_id=run_id, fired_on=as_of, detail=actions.fire(firing, effects),
            )  # fmt: skip
            # escalations, recommendations and charges keep records of their own: once claimed
            planned.append((fired, effects, firing if actions.acts_later(step) else None))
        if dry:
            continue
        state = states[customer_id]
        # a new cycle starts at no level; otherwise the level stays until a step fires
        level_action = state.level_action if cycle.level_days == state.level_days else None
        next_states[customer_id] = StateRow(
            customer_id=customer_id, cycle=cycle.number, overdue_seen=cycle.overdue_seen,
            level_days=cycle.level_days, level_action=level_action,
            strategy_name=strategy.name if strategy else state.strategy_name,
            strategy_version=strategy.version if strategy else state.strategy_version,
            last_run_on=as_of,
        )  # fmt: skip
    if dry:
        return
    # the chunk's steps are claimed in one statement; only those claimed now act
    claimed = await repo.claim_steps([fired for fired, _, _ in planned])
    done = actions.Effects()
    later: list[tuple[FiredRow, actions.Firing]] = []
    for fired, effects, acting_later in planned:
        if fired["id"] not in claimed:
            tally.skipped["fired_already"] += 1
            continue
        done.extend(effects)
        if acting_later is not None:
            later.append((fired, acting_later))
        tally.fired[fired["action"]] += 1
        state_after = next_states[fired["customer_id"]]
        state_after["level_days"], state_after["level_action"] = fired["step_days"], fired["action"]
    await actions.write(session, done)
    for fired, firing in later:
        await repo.record_detail(fired["id"], {**fired["detail"], **await actions.act_later(session, firing)})
    await repo.save_states(list(next_states.values()))
    await ExperimentRepository(session).enter(entries)


class StrategyRuns:
    """Runs strategies through the sessions of `sessionmaker`, a transaction per chunk."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: CollectionsSettings
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._chunk = settings.strategy_run_chunk
        self._catch_up: dunning.CatchUp = settings.dunning_catch_up

    async def run(self, business_entity: str, as_of: date, *, requested_by: str) -> Run:
        """An on-demand run: recorded, executed, answered."""
        async with self._sessionmaker() as session, session.begin():
            await act_as_system(session)
            run = await request(
                session, business_entity, as_of, trigger="api", requested_by=requested_by, status="running"
            )
            snap = await snapshot(session, mark_in_use=True)
        return await self._execute(run.id, business_entity, as_of, snap)

    async def dry_run(self, business_entity: str, as_of: date, *, requested_by: str) -> Run:
        async with self._sessionmaker() as session, session.begin():
            await act_as_system(session)
            await refuse_going_back(RunRepository(session), business_entity, as_of)
            snap = await snapshot(session, mark_in_use=False)
        tally = Tally()
        await self._chunks(business_entity, as_of, snap, tally, None)
        return Run(
            id=None, business_entity=business_entity, as_of=as_of, dry_run=True, status="completed",
            trigger="api", requested_by=requested_by, accounts_seen=tally.seen, fired=dict(tally.fired),
            skipped=dict(tally.skipped), planned=tally.planned, created_at=None, finished_at=None,
        )  # fmt: skip

    async def run_pending(self) -> int:
        """The runs business date changes asked for, oldest first; returns how many ran."""
        async with self._sessionmaker() as session, session.begin():
            await act_as_system(session)
            pending = [r.id for r in await RunRepository(session).pending()]
        ran = 0
        for run_id in pending:
            async with self._sessionmaker() as session, session.begin():
                await act_as_system(session)
                run = await RunRepository(session).get_for_update(run_id)
                if run is None or run.status != "pending":
                    continue  # another worker took it
                run.status = "running"
                entity, as_of = run.business_entity, run.as_of
                snap = await snapshot(session, mark_in_use=True)
            await self._execute(run_id, entity, as_of, snap)
            ran += 1
        return ran

    async def run_pending_once(self) -> None:
        await self.run_pending()

    async def _execute(self, run_id: uuid.UUID, entity: str, as_of: date, snap: Snapshot) -> Run:
        await self._chunks(entity, as_of, snap, Tally(), run_id)
        async with self._sessionmaker() as session, session.begin():
            await act_as_system(session)
            run = await RunRepository(session).get_for_update(run_id)
            assert run is not None
            run.status, run.finished_at = "completed", self._clock.now()
            return run_out(run)

    async def _chunks(
        self, entity: str, as_of: date, snap: Snapshot, tally: Tally, run_id: uuid.UUID | None
    ) -> None:
        """Judges the accounts that need it, a transaction per chunk; quiet accounts (nothing
        within any step's reach, a fresh cycle: `dunning.is_quiet`) are counted, not read."""
        below = dunning.quiet_below(snap.steps.values())
        async with self._sessionmaker() as session:
            await act_as_system(session)
            judged, quiet = await DunningRepository(session).accounts_to_judge(entity, as_of, below)
            if quiet and run_id is not None:
                await RunRepository(session).add_counts(run_id, quiet, {}, {"nothing_due": quiet})
                await session.commit()
        tally.seen += quiet
        if quiet:
            tally.skipped["nothing_due"] += quiet
        for start in range(0, len(judged), self._chunk):
            ids = judged[start : start + self._chunk]
            # a dry run's session is closed without a commit: whatever it touched is rolled back
            async with self._sessionmaker() as session:
                await act_as_system(session)
                chunk = Tally()
                await dun_chunk(session, ids, as_of, snap, self._catch_up, chunk, run_id)
                if run_id is not None:
                    await RunRepository(session).add_counts(
                        run_id, chunk.seen, dict(chunk.fired), dict(chunk.skipped)
                    )
                    await session.commit()
            tally.seen += chunk.seen
            tally.fired.update(chunk.fired)
            tally.skipped.update(chunk.skipped)
            tally.planned.extend(chunk.planned[: PLANNED_LIMIT - len(tally.planned)])


def run_out(run: StrategyRun) -> Run:
    return Run(
        id=run.id, business_entity=run.business_entity, as_of=run.as_of, dry_run=False,
        status=run.status, trigger=run.trigger, requested_by=run.requested_by,
        accounts_seen=run.accounts_seen, fired=run.fired, skipped=run.skipped,
        created_at=run.created_at, finished_at=run.finished_at,
    )  # fmt: skip


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> Run:
    run = await RunRepository(session).get(run_id)
    if run is None:
        raise NotFound(f"no strategy run {run_id}", code="strategy_run_not_found")
    return run_out(run)
