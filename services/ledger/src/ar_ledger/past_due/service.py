"""Runs the sweep for one business date or each day of a range: one AccountPastDue per account that
got worse, none twice."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain.aging import bucket_for, bucket_index
from ar_ledger.models import plumbing
from ar_ledger.past_due.repository import OverdueTotal, PastDueRepository
from ar_ledger.past_due.rules import Change, decide
from ar_shared.events.ledger import AccountPastDue
from ar_shared.money import Money, MoneyTotal
from ar_shared.outbox import OutboxWriter

outbox = OutboxWriter(plumbing)


@dataclass(frozen=True)
class SweepResult:
    as_of: date
    accounts_overdue: int
    events_emitted: int


@dataclass(frozen=True)
class DaySweep:
    """What the sweep of one day found and has to say."""

    as_of: date
    accounts_overdue: int
    events: list[AccountPastDue]

    def result(self) -> SweepResult:
        return SweepResult(self.as_of, self.accounts_overdue, len(self.events))


@dataclass
class SweepPlan:
    """The days swept in order, and where each account's announced bucket ends up."""

    days: list[DaySweep] = field(default_factory=list)
    # customer -> (bucket index, day it was set); None: forgotten (nothing overdue any more)
    final: dict[uuid.UUID, tuple[int, date] | None] = field(default_factory=dict)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def walk_days(
    days: Sequence[date],
    totals: Sequence[OverdueTotal],
    announced: dict[uuid.UUID, int],
    edges: Sequence[int],
) -> SweepPlan:
    """The sweep of each day in order, as if run once per day (pure): each day's decision starts
    from what the days before it announced. `announced` is what was announced before `days[0]`."""
    by_day: dict[date, dict[uuid.UUID, list[OverdueTotal]]] = defaultdict(lambda: defaultdict(list))
    for total in totals:
        by_day[total.as_of][total.customer_id].append(total)
    states = dict(announced)
    plan = SweepPlan()
    for day in days:
        overdue = by_day.get(day, {})
        events = []
        for customer_id in sorted(set(overdue) | set(states)):
            current_totals = overdue.get(customer_id, [])
            oldest = max((t.oldest_days for t in current_totals), default=0)
            current = bucket_index(oldest, edges) if current_totals else None
            decision = decide(states.get(customer_id), current)
            if decision.change is Change.FORGET:
                del states[customer_id]
                plan.final[customer_id] = None
            elif decision.change in {Change.ANNOUNCE, Change.REMEMBER} and decision.bucket_index is not None:
                states[customer_id] = decision.bucket_index
                plan.final[customer_id] = (decision.bucket_index, day)
            if decision.change is Change.ANNOUNCE:
                events.append(
                    AccountPastDue(
                        customer_id=customer_id,
                        as_of=day,
                        overdue=[
                            MoneyTotal.from_money(Money(t.overdue_minor, t.currency))
                            for t in sorted(current_totals, key=lambda t: t.currency)
                        ],
                        oldest_days_past_due=oldest,
                        bucket=bucket_for(oldest, edges).label,
                        overdue_invoice_ids=[i for t in current_totals for i in t.invoice_ids],
                    )
                )
        plan.days.append(DaySweep(day, len(overdue), events))
    return plan


async def plan_sweep(
    session: AsyncSession, first: date, last: date, edges: Sequence[int], business_entity: str | None
) -> SweepPlan:
    """Sweeps each day of [first, last] (the customers of `business_entity`, or everyone) and keeps
    what each account's announced bucket became; the events are the caller's to write, so it can
    put its own between the days (the close of business announces each day after its sweep)."""
    repo = PastDueRepository(session)
    await repo.lock_sweep(business_entity)
    totals = await repo.overdue_by_day(first, last, business_entity)
    plan = walk_days(days_between(first, last), totals, await repo.states(business_entity), edges)
    await repo.remember([(c, s[0], s[1]) for c, s in sorted(plan.final.items()) if s is not None])
    await repo.forget(sorted(c for c, s in plan.final.items() if s is None))
    return plan


async def sweep(
    session: AsyncSession, as_of: date, edges: Sequence[int], business_entity: str | None = None
) -> SweepResult:
    """The sweep for one business date, of one entity's customers or of everyone."""
    plan = await plan_sweep(session, as_of, as_of, edges, business_entity)
    (day,) = plan.days
    await outbox.add_many(session, list(day.events))
    return day.result()
