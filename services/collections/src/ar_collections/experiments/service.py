"""Champion / challenger: setting up an experiment, which strategy a run uses for an account,
ending it (its winner becomes the segment's strategy) and the outcome report per arm."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.calendars.service import BusinessCalendars
from ar_collections.domain import experiments as rules
from ar_collections.dunning.repository import SegmentRepository, StrategyRepository
from ar_collections.experiments.repository import ExperimentRepository, MeasuredAccount
from ar_collections.experiments.schemas import (
    Arm,
    ArmOutcome,
    CashOut,
    CeiOut,
    EndIn,
    Experiment,
    ExperimentIn,
    Interval,
    Outcomes,
    RateOut,
    TestOut,
)
from ar_collections.models import Experiment as ExperimentRow
from ar_collections.models import ExperimentArm
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.kpis import cei
from ar_shared.money import currency_exponent, format_minor
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable


def experiment_out(row: ExperimentRow, arms: Sequence[ExperimentArm]) -> Experiment:
    return Experiment(
        id=row.id, name=row.name, hypothesis=row.hypothesis, segment_id=row.segment_id,
        segment_name=row.segment_name, currency=row.currency, window_days=row.window_days,
        status="running" if row.status == "running" else "ended",
        arms=[Arm(name=a.name, strategy=a.strategy_name, share_percent=Decimal(a.share_bp).scaleb(-2),
                  champion=a.champion) for a in arms],
        promoted_arm=row.promoted_arm, created_by=row.created_by, created_at=row.created_at,
        ended_by=row.ended_by, ended_at=row.ended_at,
    )  # fmt: skip


async def start(session: AsyncSession, actor: Actor, data: ExperimentIn) -> Experiment:
    segments = SegmentRepository(session)
    await segments.lock()  # segments and their experiments change one at a time
    segment = await segments.get(data.segment_id)
    if segment is None:
        raise Unprocessable(
            "no such segment",
            code="segment_not_found",
            errors=[
                FieldError(field="segment_id", message=f"no segment {data.segment_id}", code="not_found")
            ],
        )
    errors = _arm_errors(data, set((await StrategyRepository(session).latest()).keys()))
    if errors:
        raise Unprocessable("the experiment's arms are not valid", code="invalid_experiment", errors=errors)
    repo = ExperimentRepository(session)
    running = await repo.running_on(segment.id)
    if running is not None:
        raise Conflict(
            f"segment {segment.name!r} is already in the running experiment {running.name!r} ({running.id})",
            code="segment_in_experiment",
        )
    row = await repo.add(
        ExperimentRow(
            id=uuid.uuid4(), name=data.name, hypothesis=data.hypothesis, segment_id=segment.id,
            segment_name=segment.name, currency=data.currency, window_days=data.window_days,
            status="running", created_by=actor.subject,
        )
    )  # fmt: skip
    arms = [
        ExperimentArm(
            experiment_id=row.id,
            name=a.name,
            position=n,
            strategy_name=a.strategy,
            share_bp=int(a.share_percent * 100),
            champion=a.name == data.champion,
        )
        for n, a in enumerate(data.arms)
    ]
    await repo.add_arms(arms)
    await session.refresh(row)
    result = experiment_out(row, arms)
    await audit.record(
        session, actor=actor, action="experiment.started", entity_type="experiment",
        entity_id=str(row.id), after=result.model_dump(mode="json"),
    )  # fmt: skip
    return result


def _arm_errors(data: ExperimentIn, strategies: set[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    names = [a.name for a in data.arms]
    for n, arm in enumerate(data.arms):
        if names.index(arm.name) != n:
            errors.append(
                FieldError(field=f"arms[{n}].name", message=f"{arm.name!r} twice", code="duplicate_arm")
            )
        if arm.strategy not in strategies:
            errors.append(
                FieldError(
                    field=f"arms[{n}].strategy",
                    message=f"no strategy {arm.strategy!r}",
                    code="unknown_strategy",
                )
            )
        if arm.share_percent * 100 != int(arm.share_percent * 100):
            errors.append(
                FieldError(
                    field=f"arms[{n}].share_percent", message="at most two decimals", code="too_precise"
                )
            )
    errors.extend(
        FieldError(field="arms", message=message, code="shares_not_100")
        for message in rules.share_errors([int(a.share_percent * 100) for a in data.arms])
    )
    if data.champion not in names:
        errors.append(
            FieldError(
                field="champion", message=f"{data.champion!r} is not one of the arms", code="unknown_arm"
            )
        )
    return errors


async def require(session: AsyncSession, experiment_id: uuid.UUID, *, lock: bool = False) -> ExperimentRow:
    repo = ExperimentRepository(session)
    row = await (repo.get_for_update(experiment_id) if lock else repo.get(experiment_id))
    if row is None:
        raise NotFound(f"no experiment {experiment_id}", code="experiment_not_found")
    return row


async def read(session: AsyncSession, experiment_id: uuid.UUID) -> Experiment:
    row = await require(session, experiment_id)
    return experiment_out(row, (await ExperimentRepository(session).arms([row.id]))[row.id])


async def page(
    session: AsyncSession, *, limit: int, before: tuple[datetime, uuid.UUID] | None
) -> list[Experiment]:
    repo = ExperimentRepository(session)
    rows = await repo.newest_first(limit=limit, before=before)
    arms = await repo.arms([r.id for r in rows])
    return [experiment_out(r, arms[r.id]) for r in rows]


async def end(session: AsyncSession, actor: Actor, experiment_id: uuid.UUID, data: EndIn) -> Experiment:
    """Ends the experiment; the promoted arm's strategy becomes the segment's for every account."""
    segments = SegmentRepository(session)
    await segments.lock()
    row = await require(session, experiment_id, lock=True)
    if row.status != "running":
        raise Conflict(f"experiment {row.name!r} has ended already", code="experiment_ended")
    arms = (await ExperimentRepository(session).arms([row.id]))[row.id]
    promoted = next((a for a in arms if a.name == data.promote), None)
    if promoted is None:
        raise Unprocessable(
            "no such arm",
            code="unknown_arm",
            errors=[
                FieldError(field="promote", message=f"{data.promote!r} is not an arm", code="unknown_arm")
            ],
        )
    before = experiment_out(row, arms).model_dump(mode="json")
    segment = await segments.get(row.segment_id) if row.segment_id else None
    if segment is not None and segment.strategy_name != promoted.strategy_name:
        await audit.record(
            session, actor=actor, action="strategy_segment.strategy_changed", entity_type="strategy_segment",
            entity_id=str(segment.id), before={"strategy": segment.strategy_name},
            after={"strategy": promoted.strategy_name, "experiment_id": str(row.id)},
        )  # fmt: skip
        segment.strategy_name = promoted.strategy_name
    row.status, row.promoted_arm = "ended", promoted.name
    row.ended_by, row.ended_at = actor.subject, session_clock(session).now()
    await session.flush()
    result = experiment_out(row, arms)
    await audit.record(
        session, actor=actor, action="experiment.ended", entity_type="experiment",
        entity_id=str(row.id), before=before, after=result.model_dump(mode="json"),
    )  # fmt: skip
    return result


@dataclass(frozen=True)
class RunningExperiment:
    """What a strategy run needs of an experiment: its id and arms, in split order."""

    id: uuid.UUID
    arms: tuple[rules.Arm, ...]


async def running_by_segment(session: AsyncSession) -> dict[uuid.UUID, RunningExperiment]:
    repo = ExperimentRepository(session)
    rows = [r for r in await repo.running() if r.segment_id is not None]
    arms = await repo.arms([r.id for r in rows])
    return {
        r.segment_id: RunningExperiment(
            r.id, tuple(rules.Arm(a.name, a.strategy_name, a.share_bp) for a in arms[r.id])
        )
        for r in rows
        if r.segment_id is not None
    }


async def outcomes(
    session: AsyncSession,
    experiment_id: uuid.UUID,
    calendars: BusinessCalendars,
    edges: Sequence[int],
    as_of: date | None = None,
) -> Outcomes:
    row = await require(session, experiment_id)
    repo = ExperimentRepository(session)
    arms = (await repo.arms([row.id]))[row.id]
    as_of = as_of or calendars.default_today()
    entered = await repo.entered_per_arm(row.id)
    measured = await repo.measured(row.id, as_of=as_of, window_days=row.window_days, currency=row.currency)
    exponent = currency_exponent(row.currency)
    per_arm = {a.name: [m for m in measured if m.arm == a.name] for a in arms}

    def cash_of(name: str) -> list[float]:
        return [m.cash_minor / 10**exponent for m in per_arm[name]]

    def rate_of(name: str, outcome: str) -> rules.RateSummary:
        judged: list[bool | None]
        if outcome == "promise":
            accounts = per_arm[name]
            return rules.rate(
                sum(m.promises_kept for m in accounts), sum(m.promises_judged for m in accounts)
            )
        if outcome == "cure":
            judged = [rules.cured(m.oldest_overdue_at_entry, m.all_settled) for m in per_arm[name]]
        else:
            judged = [
                rules.rolled(
                    m.entered_on, m.oldest_overdue_at_entry, m.window_end, m.oldest_overdue_at_end, edges
                )
                for m in per_arm[name]
            ]
        counted = [j for j in judged if j is not None]
        return rules.rate(sum(counted), len(counted))

    def cei_of(name: str) -> list[float]:
        return [float(c) for c in (_account_cei(m) for m in per_arm[name]) if c is not None]

    champion = next(a for a in arms if a.champion)
    report = []
    for arm in arms:
        cash, cure, roll = cash_of(arm.name), rate_of(arm.name, "cure"), rate_of(arm.name, "roll")
        promise = rate_of(arm.name, "promise")
        outcome = ArmOutcome(
            arm=arm.name, strategy=arm.strategy_name, champion=arm.champion,
            accounts_entered=entered.get(arm.name, 0), accounts_measured=len(per_arm[arm.name]),
            cash_collected=_cash_out(cash, sum(m.cash_minor for m in per_arm[arm.name]), exponent),
            cure_rate=_rate_out(cure), roll_rate=_rate_out(roll), promise_kept_rate=_rate_out(promise),
            cei=_cei_out(per_arm[arm.name], cei_of(arm.name)),
        )  # fmt: skip
        if not arm.champion:
            by_rank, by_mean = rules.compare_amounts(cash_of(champion.name), cash)
            outcome.against_champion = {
                "cash_collected": _test_out(by_rank),
                "cash_collected_mean": _test_out(by_mean),
                "cure_rate": _test_out(rules.compare_rates(rate_of(champion.name, "cure"), cure)),
                "roll_rate": _test_out(rules.compare_rates(rate_of(champion.name, "roll"), roll)),
                "promise_kept_rate": _test_out(
                    rules.compare_rates(rate_of(champion.name, "promise"), promise)
                ),
                "cei": _test_out(rules.compare_amounts(cei_of(champion.name), cei_of(arm.name))[1]),
            }
            outcome.verdict = rules.verdict(
                arm.name, champion.name, by_rank, (len(per_arm[champion.name]), len(per_arm[arm.name]))
            )
        report.append(outcome)
    return Outcomes(
        experiment_id=row.id, as_of=as_of, window_days=row.window_days, currency=row.currency, arms=report
    )


def _amount(value: float, exponent: int) -> str:
    return format_minor(round(value * 10**exponent), exponent)


def _cash_out(values: list[float], total_minor: int, exponent: int) -> CashOut:
    summary = rules.amounts(values)
    return CashOut(
        accounts=summary.n,
        total=format_minor(total_minor, exponent),
        mean=None if summary.mean is None else _amount(summary.mean, exponent),
        median=None if summary.median is None else _amount(summary.median, exponent),
        interval=None
        if summary.interval is None
        else (_amount(summary.interval.low, exponent), _amount(summary.interval.high, exponent)),
    )


def _account_cei(m: MeasuredAccount) -> Decimal | None:
    return cei(m.beginning_ar_minor, m.credit_sales_minor, m.ending_ar_minor, m.ending_current_ar_minor)


def _cei_out(accounts: Sequence[MeasuredAccount], each: list[float]) -> CeiOut:
    """The arm's CEI over its summed figures, and the mean of the accounts' own."""
    pooled = cei(
        sum(m.beginning_ar_minor for m in accounts),
        sum(m.credit_sales_minor for m in accounts),
        sum(m.ending_ar_minor for m in accounts),
        sum(m.ending_current_ar_minor for m in accounts),
    )
    summary = rules.amounts(each)
    return CeiOut(
        accounts=summary.n,
        cei_percent=pooled,
        mean=summary.mean,
        interval=None
        if summary.interval is None
        else Interval(low=summary.interval.low, high=summary.interval.high),
    )


def _rate_out(summary: rules.RateSummary) -> RateOut:
    return RateOut(
        successes=summary.successes,
        accounts=summary.trials,
        rate=summary.rate,
        interval=None
        if summary.interval is None
        else Interval(low=summary.interval.low, high=summary.interval.high),
    )


def _test_out(c: rules.Comparison) -> TestOut:
    return TestOut(
        test=c.test,
        difference=c.difference,
        p_value=c.p_value,
        significant=c.significant,
        enough_data=c.enough_data,
    )
