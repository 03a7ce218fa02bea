"""Strategy versions and segments: validated whole (problem+json, nothing written), a version a
run used is immutable, and the latest version of a name applies from the next run."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.config import get_settings
from ar_collections.domain import dunning
from ar_collections.domain.assignment import AccountFacts, Rule, mismatches
from ar_collections.dunning.repository import SegmentRepository, StrategyRepository
from ar_collections.dunning.schemas import Segment as SegmentOut
from ar_collections.dunning.schemas import SegmentIn, StepIn, StepOut, StrategyEdit, StrategyIn
from ar_collections.dunning.schemas import Strategy as StrategyOut
from ar_collections.experiments.repository import ExperimentRepository
from ar_collections.models import DunningStrategy, StrategySegment
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.money import Money, MoneyAmount, MoneyTotal
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable

TEMPLATE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def invalid(errors: list[FieldError]) -> Unprocessable:
    return Unprocessable(errors[0].message, code=errors[0].code or "invalid", errors=errors)


def _band(
    field: str, low: MoneyAmount | None, high: MoneyAmount | None
) -> tuple[str | None, int | None, int | None, list[FieldError]]:
    """A band [low, high) in one currency, not empty, not below zero."""
    errors: list[FieldError] = []
    if low is None and high is None:
        return None, None, None, errors
    currency = (low or high).currency  # type: ignore[union-attr]
    if low is not None and high is not None and low.currency != high.currency:
        errors.append(
            FieldError(field=field, message="both ends in one currency", code="band_currencies_differ")
        )
    lo = low.to_money().minor if low is not None else None
    hi = high.to_money().minor if high is not None else None
    if (
        (lo is not None and lo < 0)
        or (hi is not None and hi <= 0)
        or (lo is not None and hi is not None and lo >= hi)
    ):
        errors.append(
            FieldError(field=field, message="the band can never match: it is empty", code="empty_band")
        )
    return currency, lo, hi, errors


def _fee_level_errors(where: str, step: StepIn) -> list[FieldError]:
    if step.action == "charge_fee" and step.fee_level is None:
        return [
            FieldError(
                field=f"{where}.fee_level",
                message="a charge_fee step needs a fee level",
                code="fee_level_missing",
            )
        ]
    if step.action != "charge_fee" and step.fee_level is not None:
        return [
            FieldError(
                field=f"{where}.fee_level",
                message=f"a {step.action} charges no fee",
                code="fee_level_not_used",
            )
        ]
    return []


def to_steps(data: Sequence[StepIn]) -> tuple[list[dunning.Step], list[FieldError]]:
    known = set(get_settings().known_template_keys)
    steps: list[dunning.Step] = []
    errors: list[FieldError] = []
    for n, s in enumerate(data):
        where = f"steps[{n}]"
        if s.action in dunning.MESSAGE_ACTIONS:
            if s.template_key is None:
                errors.append(
                    FieldError(
                        field=f"{where}.template_key",
                        message=f"a {s.action} needs a template key",
                        code="template_missing",
                    )
                )
            elif not TEMPLATE_KEY.match(s.template_key) or s.template_key not in known:
                errors.append(
                    FieldError(
                        field=f"{where}.template_key",
                        message=f"unknown template {s.template_key!r}; known: {', '.join(sorted(known))}",
                        code="unknown_template",
                    )
                )
        elif s.template_key is not None:
            errors.append(
                FieldError(
                    field=f"{where}.template_key",
                    message=f"a {s.action} sends no message",
                    code="template_not_used",
                )
            )
        errors += _fee_level_errors(where, s)
        currency, lo, hi, band_errors = _band(f"{where}.overdue_min", s.overdue_min, s.overdue_max)
        errors += band_errors
        steps.append(
            dunning.Step(
                s.days, s.action, s.template_key, s.locale, currency, lo, hi, s.sla_days,
                s.fee_level, s.charge_interest,
            )
        )  # fmt: skip
    for i, j in dunning.overlapping_pairs(steps):
        errors.append(
            FieldError(
                field=f"steps[{j}]",
                message=f"overlaps steps[{i}]: same days ({steps[i].days}) and amount band",
                code="overlapping_steps",
            )
        )
    return steps, errors  # fmt: skip


def step_json(step: dunning.Step) -> dict[str, Any]:
    return {
        "days": step.days, "action": step.action, "template_key": step.template_key, "locale": step.locale,
        "band_currency": step.band_currency, "band_min_minor": step.band_min_minor,
        "band_max_minor": step.band_max_minor, "sla_days": step.sla_days, "fee_level": step.fee_level,
        "charge_interest": step.charge_interest,
    }  # fmt: skip


def steps_of(strategy: DunningStrategy) -> list[dunning.Step]:
    return [dunning.Step(**s) for s in strategy.steps]


def _money(minor: int | None, currency: str | None) -> MoneyTotal | None:
    return None if minor is None or currency is None else MoneyTotal.from_money(Money(minor, currency))


def strategy_out(strategy: DunningStrategy) -> StrategyOut:
    return StrategyOut(
        id=strategy.id,
        name=strategy.name,
        version=strategy.version,
        description=strategy.description,
        steps=[
            StepOut(
                days=s.days, action=s.action, template_key=s.template_key, locale=s.locale,
                overdue_min=_money(s.band_min_minor, s.band_currency),
                overdue_max=_money(s.band_max_minor, s.band_currency), sla_days=s.sla_days,
                fee_level=s.fee_level, charge_interest=s.charge_interest,
            )
            for s in steps_of(strategy)
        ],
        in_use=strategy.in_use,
        created_by=strategy.created_by,
        created_at=strategy.created_at,
    )  # fmt: skip


async def create_version(session: AsyncSession, actor: Actor, data: StrategyIn) -> StrategyOut:
    """Version 1 of a new name, or the next version of an existing one."""
    steps, errors = to_steps(data.steps)
    if errors:
        raise invalid(errors)
    repo = StrategyRepository(session)
    await repo.lock_name(data.name)
    strategy = await repo.add(
        DunningStrategy(
            id=uuid.uuid4(),
            name=data.name,
            version=await repo.latest_version(data.name) + 1,
            description=data.description,
            steps=[step_json(s) for s in sorted(steps, key=lambda s: s.days)],
            created_by=actor.subject,
        )
    )
    result = strategy_out(strategy)
    await audit.record(
        session, actor=actor, action="dunning_strategy.created", entity_type="dunning_strategy",
        entity_id=f"{strategy.name}@{strategy.version}", after=result.model_dump(mode="json"),
    )  # fmt: skip
    return result


async def require_version(
    session: AsyncSession, name: str, version: int, *, lock: bool = False
) -> DunningStrategy:
    strategy = await StrategyRepository(session).version(name, version, lock=lock)
    if strategy is None:
        raise NotFound(f"no strategy {name!r} version {version}", code="strategy_not_found")
    return strategy


async def edit_version(
    session: AsyncSession, actor: Actor, name: str, version: int, data: StrategyEdit
) -> StrategyOut:
    strategy = await require_version(session, name, version, lock=True)
    if strategy.in_use:
        raise Conflict(
            f"{name} version {version} was used by a strategy run and cannot change: create a new version",
            code="version_in_use",
        )
    steps, errors = to_steps(data.steps)
    if errors:
        raise invalid(errors)
    before = strategy_out(strategy).model_dump(mode="json")
    strategy.steps = [step_json(s) for s in sorted(steps, key=lambda s: s.days)]
    strategy.description = data.description
    await session.flush()
    result = strategy_out(strategy)
    await audit.record(
        session, actor=actor, action="dunning_strategy.edited", entity_type="dunning_strategy",
        entity_id=f"{name}@{version}", before=before, after=result.model_dump(mode="json"),
    )  # fmt: skip
    return result


async def list_versions(session: AsyncSession) -> list[StrategyOut]:
    return [strategy_out(s) for s in await StrategyRepository(session).all()]


def to_rule(segment: StrategySegment) -> Rule:
    """A segment is matched as an assignment rule is (domain/assignment.py); the segment's id
    stands in for the portfolio."""
    return Rule(
        id=segment.id, portfolio_id=segment.id, priority=segment.priority,
        business_entity=segment.business_entity, risk_class=segment.risk_class,
        balance_currency=segment.balance_currency, balance_min_minor=segment.balance_min_minor,
        balance_max_minor=segment.balance_max_minor, attribute_key=segment.attribute_key,
        attribute_value=segment.attribute_value,
    )  # fmt: skip


def segment_rules(segments: Sequence[StrategySegment]) -> list[tuple[StrategySegment, Rule]]:
    """The segments with their rules, built once for a run's thousands of accounts."""
    return [(s, to_rule(s)) for s in segments]


def segment_for(segments: Sequence[StrategySegment], facts: AccountFacts) -> StrategySegment | None:
    """The first segment (by priority) the account meets."""
    return first_segment(segment_rules(segments), facts)


def first_segment(
    rules: Sequence[tuple[StrategySegment, Rule]], facts: AccountFacts
) -> StrategySegment | None:
    return next((s for s, rule in rules if not mismatches(rule, facts)), None)


def segment_out(segment: StrategySegment) -> SegmentOut:
    return SegmentOut(
        id=segment.id, name=segment.name, strategy=segment.strategy_name, priority=segment.priority,
        business_entity=segment.business_entity, risk_class=segment.risk_class,
        balance_min=_money(segment.balance_min_minor, segment.balance_currency),
        balance_max=_money(segment.balance_max_minor, segment.balance_currency),
        attribute_key=segment.attribute_key, attribute_value=segment.attribute_value,
        created_by=segment.created_by, created_at=segment.created_at,
    )  # fmt: skip


def _catch_all(segment: StrategySegment) -> bool:
    return not any(
        (segment.business_entity, segment.risk_class, segment.balance_currency, segment.attribute_key)
    )


async def create_segment(session: AsyncSession, actor: Actor, data: SegmentIn) -> SegmentOut:
    repo = SegmentRepository(session)
    await repo.lock()
    currency, lo, hi, errors = _band("balance_min", data.balance_min, data.balance_max)
    if (data.attribute_key is None) != (data.attribute_value is None):
        errors.append(
            FieldError(
                field="attribute_value",
                message="an attribute needs both key and value",
                code="attribute_pair",
            )
        )
    if await StrategyRepository(session).latest_version(data.strategy) == 0:
        errors.append(
            FieldError(field="strategy", message=f"no strategy {data.strategy!r}", code="unknown_strategy")
        )
    existing = await repo.in_order()
    shadow = next((s for s in existing if s.priority < data.priority and _catch_all(s)), None)
    if shadow is not None:
        errors.append(
            FieldError(
                field="priority",
                message=f"segment {shadow.name!r} (priority {shadow.priority}) matches every account "
                "first: this one can never match",
                code="segment_never_matches",
            )
        )
    if errors:
        raise invalid(errors)
    if any(s.priority == data.priority for s in existing):
        raise Conflict(f"a segment has priority {data.priority} already", code="segment_priority_taken")
    segment = await repo.add(
        StrategySegment(
            id=uuid.uuid4(), priority=data.priority, name=data.name, strategy_name=data.strategy,
            business_entity=data.business_entity, risk_class=data.risk_class, balance_currency=currency,
            balance_min_minor=lo, balance_max_minor=hi, attribute_key=data.attribute_key,
            attribute_value=data.attribute_value, created_by=actor.subject,
        )
    )  # fmt: skip
    result = segment_out(segment)
    await audit.record(
        session, actor=actor, action="strategy_segment.created", entity_type="strategy_segment",
        entity_id=str(segment.id), after=result.model_dump(mode="json"),
    )  # fmt: skip
    return result


async def list_segments(session: AsyncSession) -> list[SegmentOut]:
    return [segment_out(s) for s in await SegmentRepository(session).in_order()]


async def delete_segment(session: AsyncSession, actor: Actor, segment_id: uuid.UUID) -> None:
    repo = SegmentRepository(session)
    await repo.lock()
    segment = await repo.get(segment_id)
    if segment is None:
        raise NotFound(f"no segment {segment_id}", code="segment_not_found")
    trial = await ExperimentRepository(session).running_on(segment_id)
    if trial is not None:
        raise Conflict(
            f"segment {segment.name!r} is in the running experiment {trial.name!r}: end it first",
            code="segment_in_experiment",
        )
    before = segment_out(segment).model_dump(mode="json")
    await session.delete(segment)
    await session.flush()
    await audit.record(
        session, actor=actor, action="strategy_segment.deleted", entity_type="strategy_segment",
        entity_id=str(segment_id), before=before,
    )  # fmt: skip
