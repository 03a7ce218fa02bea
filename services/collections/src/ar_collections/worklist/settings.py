"""Per-installation settings of the worklist: the score's weights and the SLA rules."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.domain.priority import DEFAULT_WEIGHTS
from ar_collections.models import SlaRule, WorklistWeight
from ar_collections.portfolios.repository import PortfolioRepository
from ar_collections.recording import audit
from ar_collections.worklist.schemas import SlaRuleCreate, SlaRuleOut, Weight, WeightsUpdate, decimal_text
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable


async def weights(session: AsyncSession) -> list[Weight]:
    rows = {w.part: w for w in (await session.scalars(select(WorklistWeight))).all()}
    result = []
    for part, default in DEFAULT_WEIGHTS.items():
        row = rows.get(part)
        result.append(
            Weight(
                part=part,
                weight=decimal_text(row.weight if row else default),
                updated_by=row.updated_by if row else "system",
                updated_at=row.updated_at if row else session_clock(session).now(),
            )
        )
    return result


async def set_weights(session: AsyncSession, actor: Actor, data: WeightsUpdate) -> list[Weight]:
    before = {w.part: w.weight for w in await weights(session)}
    for part, value in data.weights.items():
        statement = insert(WorklistWeight).values(part=part, weight=Decimal(value), updated_by=actor.subject)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[WorklistWeight.part],
                set_={
                    "weight": statement.excluded.weight,
                    "updated_by": statement.excluded.updated_by,
                    "updated_at": session_clock(session).now(),
                },
            )
        )
    after = await weights(session)
    await audit.record(
        session,
        actor=actor,
        action="worklist_weights.set",
        entity_type="worklist_weights",
        entity_id="installation",
        before=before,
        after={w.part: w.weight for w in after},
    )
    return after


async def create_sla_rule(session: AsyncSession, actor: Actor, data: SlaRuleCreate) -> SlaRule:
    if data.portfolio_id is not None and await PortfolioRepository(session).get(data.portfolio_id) is None:
        message = f"no portfolio {data.portfolio_id}"
        raise Unprocessable(
            message,
            code="unknown_portfolio",
            errors=[FieldError(field="portfolio_id", message=message, code="unknown_portfolio")],
        )
    existing = await session.scalar(select(SlaRule.id).where(SlaRule.code == data.code))
    if existing is not None:
        raise Conflict(f"an SLA rule {data.code!r} exists", code="sla_rule_exists")
    rule = SlaRule(id=uuid.uuid4(), created_by=actor.subject, active=True, **data.model_dump())
    session.add(rule)
    await session.flush()
    await session.refresh(rule)
    await audit.record(
        session,
        actor=actor,
        action="sla_rule.created",
        entity_type="sla_rule",
        entity_id=str(rule.id),
        after=SlaRuleOut.model_validate(rule).model_dump(mode="json"),
    )
    return rule


async def deactivate_sla_rule(session: AsyncSession, actor: Actor, rule_id: uuid.UUID) -> SlaRule:
    rule = await session.get(SlaRule, rule_id, with_for_update=True)
    if rule is None:
        raise NotFound(f"no SLA rule {rule_id}", code="sla_rule_not_found")
    rule.active = False
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="sla_rule.deactivated",
        entity_type="sla_rule",
        entity_id=str(rule.id),
        after=SlaRuleOut.model_validate(rule).model_dump(mode="json"),
    )
    return rule
