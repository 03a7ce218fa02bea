"""Builds a collector's worklist: every account of the portfolios they work (owned, or covered
while the owner is absent) with overdue items or tasks due, breached SLAs first, then by score.

PostgreSQL orders and pages the accounts (worklist/ordering.py, SQL generated from the domain's
rules); each account of the page is then judged by the domain functions themselves
(domain/priority.py for every part of its score, domain/sla.py for its most urgent SLA)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.calendars.service import BusinessCalendars
from ar_collections.domain import aging, disputes, priority, sla
from ar_collections.models import Collector, Portfolio
from ar_collections.models.task import CONTACT_TASK_KINDS
from ar_collections.worklist.repository import Scope, WorklistRepository
from ar_collections.worklist.schemas import (
    DoNotContactNote,
    ScorePart,
    Sla,
    WorklistItem,
    WorkTask,
    decimal_text,
)
from ar_shared.money import Money, MoneyTotal
from ar_shared.pagination import CursorKey, encode_cursor


async def worked_portfolios(session: AsyncSession, subject: str) -> list[uuid.UUID]:
    """The portfolios `subject` owns, and those it covers as backup while the owner is absent."""
    owned = select(Portfolio.id).where(Portfolio.collector_subject == subject)
    covered = (
        select(Portfolio.id)
        .join(Collector, Collector.subject == Portfolio.collector_subject)
        .where(Portfolio.backup_subject == subject, Collector.absent)
    )
    return list((await session.scalars(owned.union(covered))).all())


def sla_rule(row: Any) -> sla.SlaRule:
    return sla.SlaRule(
        id=row.id,
        code=row.code,
        name=row.name,
        within_days=row.within_days,
        action_kind=row.action_kind,
        action_direction=row.action_direction,
        business_entity=row.business_entity,
        risk_class=row.risk_class,
        portfolio_id=row.portfolio_id,
    )


@dataclass(slots=True)
class Ranked:
    """One account judged for the worklist: enough to order it; `item()` builds what is shown."""

    row: Any
    inputs: priority.ScoreInputs
    tasks: list[WorkTask]
    urgent: sla.SlaStatus | None
    barred: bool
    cents: int
    weights: dict[str, Decimal]
    edges: tuple[int, ...]

    @property
    def breached(self) -> bool:
        return bool(self.urgent and self.urgent.breached)

    def key(self) -> tuple[int, int, str]:
        # breached first, then the highest score, then a stable order
        return (0 if self.breached else 1, -self.cents, str(self.row["customer_id"]))

    def cursor(self) -> list[CursorKey]:
        return [int(self.breached), self.cents, self.row["customer_id"]]

    def item(self, reason_codes: list[str]) -> WorklistItem:
        row, score = self.row, priority.score(self.inputs, self.weights)
        days = self.inputs.oldest_days_past_due
        return WorklistItem(
            customer_id=row["customer_id"],
            external_id=row["external_id"],
            name=row["name"],
            business_entity=row["business_entity"],
            as_of=row["as_of"],
            portfolio_id=row["portfolio_id"],
            risk_class=row["risk_class"],
            open_balance=_money(row["currencies"], row["open_minor"]),
            overdue=_money(row["currencies"], row["overdue_minor"]),
            oldest_days_past_due=days,
            bucket=aging.bucket(days, self.edges),
            last_contact_on=row["last_contact_on"],
            reason_codes=reason_codes,
            tasks=self.tasks,
            sla=Sla.model_validate(self.urgent, from_attributes=True) if self.urgent else None,
            do_not_contact=DoNotContactNote(
                reason=row["do_not_contact"], ends_on=row["do_not_contact_ends_on"]
            )
            if self.barred
            else None,
            score=str(score.total),
            score_parts=[
                ScorePart(
                    part=p.part,  # one of priority.PARTS
                    weight=decimal_text(p.weight),
                    value=decimal_text(p.value),
                    points=str(p.points),
                )
                for p in score.parts
            ],
        )


def _money(currencies: Sequence[str] | None, amounts: Sequence[int] | None) -> list[MoneyTotal]:
    return [
        MoneyTotal.from_money(Money(int(m), c))
        for c, m in zip(currencies or [], amounts or [], strict=True)
        if m
    ]


def judge(
    row: Any,
    *,
    weights: dict[str, Decimal],
    rules: Sequence[sla.SlaRule],
    contacts: dict[tuple[str, str | None], date],
    edges: tuple[int, ...],
) -> Ranked | None:
    """Scores one account and finds its SLA (None: nothing to work on it today)."""
    as_of: date = row["as_of"]
    barred = row["do_not_contact"] is not None and (
        row["do_not_contact_ends_on"] is None or row["do_not_contact_ends_on"] >= as_of
    )
    tasks = [
        WorkTask.model_construct(
            id=uuid.UUID(t["id"]),
            kind=t["kind"],
            title=t["title"],
            due_on=date.fromisoformat(t["due_on"]),
            sla_due_on=date.fromisoformat(t["sla_due_on"]) if t["sla_due_on"] else None,
        )
        for t in _json(row["tasks"])
    ]
    if barred:
        # no calls, letters or follow-ups while contact is barred; other work (a review) stays
        tasks = [t for t in tasks if t.kind not in CONTACT_TASK_KINDS]
        if not tasks:
            return None
    oldest_due: date | None = row["oldest_overdue_due"]
    inputs = priority.ScoreInputs(
        overdue_minor={
            c: int(m) for c, m in zip(row["currencies"] or [], row["overdue_minor"] or [], strict=True) if m
        },
        oldest_days_past_due=aging.days_past_due(as_of, oldest_due) if oldest_due else 0,
        risk_class=row["risk_class"],
        days_since_last_contact=(as_of - row["last_contact_on"]).days if row["last_contact_on"] else None,
        follow_up_due=bool(tasks),
        promise_due_today=bool(row["promise_due_today"]),
        promise_broken=bool(row["promise_broken"]),
        oldest_dispute_days=disputes.age_in_days(row["oldest_dispute_opened_on"], as_of),
    )
    statuses: list[sla.SlaStatus | None] = [
        sla.task_status(t.id, t.kind, t.sla_due_on, as_of) for t in tasks if t.sla_due_on is not None
    ]
    if not barred:
        facts = sla.SlaFacts(
            row["business_entity"], row["risk_class"], row["portfolio_id"], oldest_due, contacts
        )
        statuses += [sla.rule_status(rule, facts, as_of) for rule in rules]
    cents = priority.total_in_cents(inputs, weights)
    return Ranked(row, inputs, tasks, sla.most_urgent(statuses), barred, cents, weights, edges)


@dataclass(frozen=True)
class Setup:
    scope: Scope
    weights: dict[str, Decimal]
    rules: list[sla.SlaRule]


async def _setup(
    session: AsyncSession, collector: str, calendars: BusinessCalendars, fixed_as_of: date | None
) -> Setup | None:
    portfolios = await worked_portfolios(session, collector)
    if not portfolios:
        return None
    repo = WorklistRepository(session)
    scope = Scope(
        collector=collector,
        portfolios=portfolios,
        as_of_by_entity={e: calendars.today(e) for e in calendars.calendars},
        default_as_of=calendars.default_today(),
        fixed_as_of=fixed_as_of,
    )
    weights = dict(priority.DEFAULT_WEIGHTS) | await repo.weights()
    return Setup(scope, weights, [sla_rule(r) for r in await repo.sla_rules()])


def _judged(rows: Sequence[Any], setup: Setup, edges: Sequence[int]) -> list[Ranked]:
    judged = (
        judge(
            row,
            weights=setup.weights,
            rules=setup.rules,
            contacts=_contacts(row, setup.rules),
            edges=tuple(edges),
        )
        for row in rows
    )
    # the statement left out what judge() leaves out: every row is an item
    return [r for r in judged if r is not None]


async def worklist_page(
    session: AsyncSession,
    *,
    collector: str,
    calendars: BusinessCalendars,
    edges: Sequence[int],
    limit: int,
    after: tuple[int, int, uuid.UUID] | None,
    fixed_as_of: date | None = None,
) -> tuple[list[WorklistItem], str | None]:
    """A page of the collector's worklist, ordered and paged by the database; the next cursor."""
    setup = await _setup(session, collector, calendars, fixed_as_of)
    if setup is None:
        return [], None
    rows = await WorklistRepository(session).facts(
        setup.scope, setup.weights, setup.rules, after=after, limit=limit + 1
    )
    shown = rows[:limit]
    next_cursor = (
        encode_cursor([int(shown[-1]["breached"]), shown[-1]["cents"], shown[-1]["customer_id"]])
        if len(rows) > limit and shown
        else None
    )
    return await items(session, _judged(shown, setup, edges)), next_cursor


async def worklist(
    session: AsyncSession,
    *,
    collector: str,
    calendars: BusinessCalendars,
    edges: Sequence[int],
    fixed_as_of: date | None = None,
) -> list[Ranked]:
    """Every item of the collector's worklist, in order (exports)."""
    setup = await _setup(session, collector, calendars, fixed_as_of)
    if setup is None:
        return []
    rows = await WorklistRepository(session).facts(setup.scope, setup.weights, setup.rules)
    return _judged(rows, setup, edges)


def _json(value: Any) -> Any:
    # the session's connection decodes JSON itself (SQLAlchemy's codec); a bare one gives text
    return json.loads(value) if isinstance(value, str) else value or []


def _contacts(row: Any, rules: Sequence[sla.SlaRule]) -> dict[tuple[str, str | None], date]:
    """The latest accepted activity per rule, as the SLA functions read them."""
    found: dict[tuple[str, str | None], date] = {}
    for i, rule in enumerate(rules):
        on = row[f"rule_{i}"]
        key = (rule.action_kind, rule.action_direction)
        if on is not None and (key not in found or on > found[key]):
            found[key] = on
    return found


async def items(session: AsyncSession, ranked: Sequence[Ranked]) -> list[WorklistItem]:
    """What is shown of the judged accounts (a page, or all of them for an export)."""
    codes = await WorklistRepository(session).reason_codes([r.row["customer_id"] for r in ranked])
    return [r.item(codes.get(r.row["customer_id"], [])) for r in ranked]
