"""Rules for portfolios and assignment: owners and backups are known collectors, rules of one
priority never overlap, a manual move names its reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.accounts.repository import AccountRepository
from ar_collections.domain.assignment import overlapping
from ar_collections.models import Account, AssignmentRule, Portfolio, PortfolioHistory
from ar_collections.people.repository import CollectorRepository
from ar_collections.portfolios import assignment
from ar_collections.portfolios.repository import PortfolioRepository, RuleRepository
from ar_collections.portfolios.schemas import (
    Assignment,
    AssignmentRuleCreate,
    PortfolioCreate,
    PortfolioUpdate,
    Reassignment,
)
from ar_collections.portfolios.schemas import AssignmentRule as RuleOut
from ar_collections.portfolios.schemas import Portfolio as PortfolioOut
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.money import Money, MoneyTotal
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable

Today = Callable[[str], date]


def invalid(errors: list[FieldError]) -> Unprocessable:
    return Unprocessable(errors[0].message, code=errors[0].code or "invalid", errors=errors)


async def _known_collector(session: AsyncSession, field: str, subject: str | None) -> list[FieldError]:
    if subject is None or await CollectorRepository(session).get(subject) is not None:
        return []
    return [FieldError(field=field, message=f"no collector {subject!r}", code="unknown_collector")]


async def create_portfolio(session: AsyncSession, actor: Actor, data: PortfolioCreate) -> Portfolio:
    errors = await _known_collector(session, "collector", data.collector)
    errors += await _known_collector(session, "backup", data.backup)
    if data.backup is not None and data.backup == data.collector:
        errors.append(
            FieldError(field="backup", message="the backup is someone else", code="backup_is_owner")
        )
    if errors:
        raise invalid(errors)
    repo = PortfolioRepository(session)
    if await repo.by_name(data.name) is not None:
        raise Conflict(f"a portfolio named {data.name!r} exists", code="portfolio_exists")
    portfolio = await repo.add(
        Portfolio(
            id=uuid.uuid4(),
            name=data.name,
            description=data.description,
            collector_subject=data.collector,
            backup_subject=data.backup,
            created_by=actor.subject,
        )
    )
    await _record_owner(session, actor, portfolio, None)
    await audit.record(
        session,
        actor=actor,
        action="portfolio.created",
        entity_type="portfolio",
        entity_id=str(portfolio.id),
        after=PortfolioOut.model_validate(portfolio).model_dump(mode="json"),
    )
    return portfolio


async def _record_owner(
    session: AsyncSession, actor: Actor, portfolio: Portfolio, reason: str | None
) -> None:
    await PortfolioRepository(session).record_owner(
        PortfolioHistory(
            portfolio_id=portfolio.id,
            collector_subject=portfolio.collector_subject,
            backup_subject=portfolio.backup_subject,
            changed_by=actor.subject,
            changed_at=session_clock(session).now(),
            reason=reason,
        )
    )


async def require_portfolio(session: AsyncSession, portfolio_id: uuid.UUID) -> Portfolio:
    portfolio = await PortfolioRepository(session).get(portfolio_id)
    if portfolio is None:
        raise NotFound(f"no portfolio {portfolio_id}", code="portfolio_not_found")
    return portfolio


async def update_portfolio(
    session: AsyncSession, actor: Actor, portfolio_id: uuid.UUID, data: PortfolioUpdate
) -> Portfolio:
    repo = PortfolioRepository(session)
    portfolio = await repo.get_for_update(portfolio_id)
    if portfolio is None:
        raise NotFound(f"no portfolio {portfolio_id}", code="portfolio_not_found")
    sent = data.model_fields_set
    collector = data.collector if "collector" in sent and data.collector else portfolio.collector_subject
    backup = data.backup if "backup" in sent else portfolio.backup_subject
    errors = await _known_collector(session, "collector", collector)
    errors += await _known_collector(session, "backup", backup)
    if backup is not None and backup == collector:
        errors.append(
            FieldError(field="backup", message="the backup is someone else", code="backup_is_owner")
        )
    if "name" in sent and data.name is None:
        errors.append(FieldError(field="name", message="a portfolio keeps a name", code="name_required"))
    if errors:
        raise invalid(errors)
    if data.name and data.name != portfolio.name and await repo.by_name(data.name) is not None:
        raise Conflict(f"a portfolio named {data.name!r} exists", code="portfolio_exists")
    before = PortfolioOut.model_validate(portfolio).model_dump(mode="json")
    owners_change = (collector, backup) != (portfolio.collector_subject, portfolio.backup_subject)
    if data.name:
        portfolio.name = data.name
    if "description" in sent:
        portfolio.description = data.description
    portfolio.collector_subject, portfolio.backup_subject = collector, backup
    await session.flush()
    await session.refresh(portfolio)
    if owners_change:
        await _record_owner(session, actor, portfolio, data.reason)
    await audit.record(
        session,
        actor=actor,
        action="portfolio.updated",
        entity_type="portfolio",
        entity_id=str(portfolio.id),
        before=before,
        after=PortfolioOut.model_validate(portfolio).model_dump(mode="json") | {"reason": data.reason},
    )
    return portfolio


def rule_out(rule: AssignmentRule) -> RuleOut:
    def band(minor: int | None) -> MoneyTotal | None:
        if minor is None or rule.balance_currency is None:
            return None
        return MoneyTotal.from_money(Money(minor, rule.balance_currency))

    return RuleOut(
        id=rule.id,
        name=rule.name,
        portfolio_id=rule.portfolio_id,
        priority=rule.priority,
        business_entity=rule.business_entity,
        country=rule.country,
        region=rule.region,
        risk_class=rule.risk_class,
        balance_min=band(rule.balance_min_minor),
        balance_max=band(rule.balance_max_minor),
        attribute_key=rule.attribute_key,
        attribute_value=rule.attribute_value,
        created_by=rule.created_by,
        created_at=rule.created_at,
    )


async def _lock_rules(session: AsyncSession) -> None:
    # rule writers take turns: two managers adding rules of one priority cannot both pass the check
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended("collections:rules", 0))))


async def create_rule(session: AsyncSession, actor: Actor, data: AssignmentRuleCreate) -> AssignmentRule:
    errors: list[FieldError] = []
    if await PortfolioRepository(session).get(data.portfolio_id) is None:
        errors.append(
            FieldError(
                field="portfolio_id", message=f"no portfolio {data.portfolio_id}", code="unknown_portfolio"
            )
        )
    low, high = data.balance_min, data.balance_max
    if low is not None and high is not None:
        if low.currency != high.currency:
            errors.append(
                FieldError(
                    field="balance_max",
                    message="both ends of a band in one currency",
                    code="currency_mismatch",
                )
            )
        elif low.to_money().minor >= high.to_money().minor:
            errors.append(FieldError(field="balance_max", message="max is above min", code="empty_band"))
    for field, amount in (("balance_min", low), ("balance_max", high)):
        # open balances are never negative: a band below zero would match no account
        if amount is not None and (
            amount.to_money().minor < 0 or (field == "balance_max" and amount.to_money().is_zero)
        ):
            errors.append(
                FieldError(field=field, message="an open balance is never below 0", code="band_never_matches")
            )
    if (data.attribute_key is None) != (data.attribute_value is None):
        field = "attribute_value" if data.attribute_value is None else "attribute_key"
        errors.append(
            FieldError(
                field=field, message="give attribute_key and attribute_value together", code="attribute_pair"
            )
        )
    if errors:
        raise invalid(errors)
    await _lock_rules(session)
    band_currency = low.currency if low is not None else high.currency if high is not None else None
    rule = AssignmentRule(
        id=uuid.uuid4(),
        portfolio_id=data.portfolio_id,
        priority=data.priority,
        name=data.name,
        business_entity=data.business_entity,
        country=data.country,
        region=data.region,
        risk_class=data.risk_class,
        balance_currency=band_currency,
        balance_min_minor=low.to_money().minor if low is not None else None,
        balance_max_minor=high.to_money().minor if high is not None else None,
        attribute_key=data.attribute_key,
        attribute_value=data.attribute_value,
        created_by=actor.subject,
    )
    existing = [assignment.to_rule(r) for r in await RuleRepository(session).all()]
    clashes = overlapping(assignment.to_rule(rule), existing)
    if clashes:
        names = ", ".join(str(c.id) for c in clashes)
        message = (
            f"rules of priority {data.priority} may not match the same account; this one overlaps {names}"
        )
        raise invalid([FieldError(field="priority", message=message, code="overlapping_rule")])
    rule = await RuleRepository(session).add(rule)
    await audit.record(
        session,
        actor=actor,
        action="assignment_rule.created",
        entity_type="assignment_rule",
        entity_id=str(rule.id),
        after=rule_out(rule).model_dump(mode="json"),
    )
    return rule


async def delete_rule(session: AsyncSession, actor: Actor, rule_id: uuid.UUID) -> None:
    await _lock_rules(session)
    repo = RuleRepository(session)
    rule = await repo.get(rule_id)
    if rule is None:
        raise NotFound(f"no assignment rule {rule_id}", code="rule_not_found")
    before = rule_out(rule).model_dump(mode="json")
    await repo.remove(rule_id)
    await audit.record(
        session,
        actor=actor,
        action="assignment_rule.deleted",
        entity_type="assignment_rule",
        entity_id=str(rule_id),
        before=before,
    )


async def require_account(session: AsyncSession, customer_id: uuid.UUID) -> Account:
    """The account, if the caller may see it (row-level security): else 404, as if unknown."""
    account = await AccountRepository(session).get(customer_id)
    if account is None:
        raise NotFound(f"account {customer_id} is unknown to collections", code="account_not_found")
    return account


async def describe(session: AsyncSession, account: Account) -> Assignment:
    portfolio = await PortfolioRepository(session).get(account.portfolio_id) if account.portfolio_id else None
    return Assignment(
        customer_id=account.customer_id,
        portfolio_id=account.portfolio_id,
        portfolio_name=portfolio.name if portfolio else None,
        collector=portfolio.collector_subject if portfolio else None,
        backup=portfolio.backup_subject if portfolio else None,
        source="manual"
        if account.assignment_source == "manual"
        else "rule"
        if account.assignment_source
        else None,
        rule_id=account.assignment_rule_id,
        assigned_at=account.assigned_at,
    )


async def _target(session: AsyncSession, data: Reassignment) -> Portfolio:
    if (data.portfolio_id is None) == (data.collector is None):
        message = "name either the portfolio or the collector"
        raise invalid([FieldError(field="portfolio_id", message=message, code="portfolio_or_collector")])
    if data.portfolio_id is not None:
        portfolio = await PortfolioRepository(session).get(data.portfolio_id)
        if portfolio is None:
            message = f"no portfolio {data.portfolio_id}"
            raise invalid([FieldError(field="portfolio_id", message=message, code="unknown_portfolio")])
        return portfolio
    assert data.collector is not None
    errors = await _known_collector(session, "collector", data.collector)
    if errors:
        raise invalid(errors)
    owned = await PortfolioRepository(session).owned_by(data.collector)
    if len(owned) != 1:
        message = (
            f"{data.collector} has no portfolio"
            if not owned
            else f"{data.collector} has {len(owned)} portfolios: name one with portfolio_id"
        )
        code = "collector_has_no_portfolio" if not owned else "name_the_portfolio"
        raise invalid([FieldError(field="collector", message=message, code=code)])
    return owned[0]


async def reassign(
    session: AsyncSession, actor: Actor, customer_id: uuid.UUID, data: Reassignment, today: Today
) -> Assignment:
    account = await require_account(session, customer_id)
    portfolio = await _target(session, data)
    await assignment.move(
        session,
        customer_id,
        from_portfolio_id=account.portfolio_id,
        to=portfolio,
        source="manual",
        rule_id=None,
        reason=data.reason,
        actor=actor,
        effective_on=today(account.business_entity),
    )
    await session.refresh(account)
    return await describe(session, account)


async def release(session: AsyncSession, actor: Actor, customer_id: uuid.UUID, today: Today) -> Assignment:
    """Hands a manually assigned account back to the rules."""
    account = await require_account(session, customer_id)
    decision = await assignment.decide_one(session, customer_id)
    target = await PortfolioRepository(session).get(decision.portfolio_id) if decision.portfolio_id else None
    await assignment.move(
        session,
        customer_id,
        from_portfolio_id=account.portfolio_id,
        to=target,
        source="rule",
        rule_id=decision.rule.id if decision.rule else None,
        reason="handed back to the assignment rules",
        actor=actor,
        effective_on=today(account.business_entity),
    )
    await session.refresh(account)
    return await describe(session, account)
