"""Assigning accounts to portfolios: by the rules when an account arrives or changes (and when a
manager re-runs them), by hand with a reason. Every move is recorded, audited and announced."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.accounts.repository import AccountRepository
from ar_collections.domain.assignment import AccountFacts, Decision, Rule, decide
from ar_collections.models import AssignmentHistory, AssignmentRule, Portfolio
from ar_collections.portfolios.repository import (
    AssignmentHistoryRepository,
    PortfolioRepository,
    RuleRepository,
)
from ar_collections.recording import audit, outbox
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.events.collections import AccountAssigned


def to_rule(row: AssignmentRule) -> Rule:
    return Rule(
        id=row.id,
        portfolio_id=row.portfolio_id,
        priority=row.priority,
        business_entity=row.business_entity,
        country=row.country,
        region=row.region,
        risk_class=row.risk_class,
        balance_currency=row.balance_currency,
        balance_min_minor=row.balance_min_minor,
        balance_max_minor=row.balance_max_minor,
        attribute_key=row.attribute_key,
        attribute_value=row.attribute_value,
    )


def facts_of(row: Row[Any]) -> AccountFacts:
    attributes = {str(k): str(v) for k, v in (row.attributes or {}).items()}
    if row.sales_rep is not None:
        attributes.setdefault("sales_rep", row.sales_rep)
    return AccountFacts(
        business_entity=row.business_entity,
        country=row.country,
        region=row.region,
        risk_class=row.risk_class,
        balances=dict(zip(row.currencies or [], row.open_minor or [], strict=True)),
        attributes=attributes,
    )


@dataclass(frozen=True)
class Move:
    customer_id: uuid.UUID
    from_portfolio_id: uuid.UUID | None
    decision: Decision


async def move(
    session: AsyncSession,
    customer_id: uuid.UUID,
    *,
    from_portfolio_id: uuid.UUID | None,
    to: Portfolio | None,
    source: str,
    rule_id: uuid.UUID | None,
    reason: str | None,
    actor: Actor,
    effective_on: date,
) -> None:
    now = session_clock(session).now()
    await AccountRepository(session).set_assignment(
        customer_id, portfolio_id=to.id if to else None, source=source, rule_id=rule_id, at=now
    )
    session.add(
        AssignmentHistory(
            customer_id=customer_id,
            from_portfolio_id=from_portfolio_id,
            to_portfolio_id=to.id if to else None,
            source=source,
            rule_id=rule_id,
            reason=reason,
            changed_by=actor.subject,
            changed_at=now,
            effective_on=effective_on,
        )
    )
    after = {"portfolio_id": to.id if to else None, "source": source, "rule_id": rule_id, "reason": reason}
    await audit.record(
        session,
        actor=actor,
        action="account.assigned",
        entity_type="account",
        entity_id=str(customer_id),
        before={"portfolio_id": from_portfolio_id},
        after=after,
    )
    await outbox.add(
        session,
        AccountAssigned(
            customer_id=customer_id,
            portfolio_id=to.id if to else None,
            collector=to.collector_subject if to else None,
            previous_portfolio_id=from_portfolio_id,
            source="manual" if source == "manual" else "rule",
            rule_id=rule_id,
            reason=reason,
            assigned_by=actor.subject,
            effective_on=effective_on,
        ),
    )


async def reassess(
    session: AsyncSession,
    customer_ids: Sequence[uuid.UUID] | None,
    *,
    actor: Actor,
    today: Callable[[str], date],
    dry_run: bool = False,
) -> tuple[int, list[Move]]:
    """Runs the rules over the given accounts (None: every account the rules place) and moves
    those whose portfolio changes; accounts assigned by hand are left alone. `today(entity)` is
    the entity's business date. Returns how many accounts were looked at, and the moves."""
    rules = [to_rule(r) for r in await RuleRepository(session).all()]
    rows = await AccountRepository(session).rule_facts(customer_ids)
    moves: list[Move] = []
    quiet: list[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID | None]] = []
    seen = 0
    for row in rows:
        if row.assignment_source == "manual":
            continue
        seen += 1
        decision = decide(rules, facts_of(row))
        rule_id = decision.rule.id if decision.rule else None
        if decision.portfolio_id != row.portfolio_id:
            moves.append(Move(row.customer_id, row.portfolio_id, decision))
        elif rule_id != row.assignment_rule_id or row.assignment_source is None:
            # the same portfolio by another rule: nothing to announce, only which rule holds it
            quiet.append((row.customer_id, row.portfolio_id, rule_id))
    if dry_run:
        return seen, moves
    accounts = AccountRepository(session)
    now = session_clock(session).now()
    for customer_id, portfolio_id, rule_id in quiet:
        await accounts.set_assignment(
            customer_id, portfolio_id=portfolio_id, source="rule", rule_id=rule_id, at=now
        )
    wanted = [m.decision.portfolio_id for m in moves if m.decision.portfolio_id is not None]
    portfolios = await PortfolioRepository(session).by_ids(wanted) if wanted else {}
    entities = {r.customer_id: r.business_entity for r in rows}
    for m in moves:
        await move(
            session,
            m.customer_id,
            from_portfolio_id=m.from_portfolio_id,
            to=portfolios[m.decision.portfolio_id] if m.decision.portfolio_id else None,
            source="rule",
            rule_id=m.decision.rule.id if m.decision.rule else None,
            reason=None,
            actor=actor,
            effective_on=today(entities[m.customer_id]),
        )
    return seen, moves


async def decide_one(session: AsyncSession, customer_id: uuid.UUID) -> Decision:
    """What the rules say for one account (whatever its current assignment)."""
    rules = [to_rule(r) for r in await RuleRepository(session).all()]
    rows = await AccountRepository(session).rule_facts([customer_id])
    return decide(rules, facts_of(rows[0]))


async def history(
    session: AsyncSession, customer_id: uuid.UUID, *, limit: int, before: int | None
) -> Sequence[AssignmentHistory]:
    return await AssignmentHistoryRepository(session).for_account(customer_id, limit=limit, before=before)
