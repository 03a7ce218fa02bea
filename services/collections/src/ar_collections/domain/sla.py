"""Service levels on the worklist: e.g. "call a customer within 7 days of its first invoice
going past due", and tasks that carry an SLA due date of their own.

A past-due SLA starts the day after the due date of the account's oldest overdue item (the
current delinquency), is due `within_days` after that due date, and is satisfied by an activity
of the rule's kind (and direction, when the rule names one) on or after its start. Once the
oldest item is paid, the next oldest starts a new one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class SlaRule:
    id: uuid.UUID
    code: str
    name: str
    within_days: int
    action_kind: str
    action_direction: str | None = None
    business_entity: str | None = None
    risk_class: str | None = None
    portfolio_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class SlaFacts:
    business_entity: str
    risk_class: str | None
    portfolio_id: uuid.UUID | None
    oldest_overdue_due_date: date | None
    # the latest business date of each (kind, direction) of activity on the account
    last_activity_on: Mapping[tuple[str, str | None], date]


@dataclass(frozen=True, slots=True)
class SlaStatus:
    code: str
    name: str
    started_on: date | None
    due_on: date
    breached: bool
    source: str  # "rule" or "task"
    task_id: uuid.UUID | None = None


def applies(rule: SlaRule, facts: SlaFacts) -> bool:
    return (
        (rule.business_entity is None or rule.business_entity == facts.business_entity)
        and (rule.risk_class is None or rule.risk_class == facts.risk_class)
        and (rule.portfolio_id is None or rule.portfolio_id == facts.portfolio_id)
    )


def last_action_on(rule: SlaRule, facts: SlaFacts) -> date | None:
    dates = [
        on
        for (kind, direction), on in facts.last_activity_on.items()
        if kind == rule.action_kind and (rule.action_direction is None or direction == rule.action_direction)
    ]
    return max(dates, default=None)


def rule_status(rule: SlaRule, facts: SlaFacts, as_of: date) -> SlaStatus | None:
    """The rule's open SLA on the account (None: nothing overdue, not in scope, or satisfied)."""
    oldest_due = facts.oldest_overdue_due_date
    if oldest_due is None or oldest_due >= as_of or not applies(rule, facts):
        return None
    started_on = oldest_due + timedelta(days=1)
    done_on = last_action_on(rule, facts)
    if done_on is not None and done_on >= started_on:
        return None
    due_on = oldest_due + timedelta(days=rule.within_days)
    return SlaStatus(rule.code, rule.name, started_on, due_on, as_of > due_on, "rule")


def task_status(task_id: uuid.UUID, kind: str, sla_due_on: date, as_of: date) -> SlaStatus:
    """An open task's own SLA: completing the task clears it."""
    return SlaStatus(
        f"task:{kind}",
        f"{kind.replace('_', ' ')} task",
        None,
        sla_due_on,
        as_of > sla_due_on,
        "task",
        task_id,
    )


def most_urgent(statuses: Iterable[SlaStatus | None]) -> SlaStatus | None:
    """A breached SLA before any other; then the earliest due."""
    found = [s for s in statuses if s is not None]
    return min(found, key=lambda s: (not s.breached, s.due_on, s.code), default=None)
