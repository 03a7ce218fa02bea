"""Runs the sweep for one business date or each day of a range: one AccountPastDue per account that
got worse, none twice."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain.aging import bucket_for, bucket_index, days_past_due, is_overdue
from ar_ledger.models import plumbing
from ar_ledger.past_due.repository import OldestDue, OverdueTotal, PastDueRepository
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
class Announcement:
    """An account that got its first overdue invoice, or crossed a bucket edge, on a day."""

    customer_id: uuid.UUID
    as_of: date
    oldest_days: int
    bucket: str

    def event(self, totals: Sequence[OverdueTotal]) -> AccountPastDue:
        """The event, with what the account owes that day (`totals`: per currency)."""
        ordered = sorted(totals, key=lambda t: t.currency)
        return AccountPastDue(
            customer_id=self.customer_id,
            as_of=self.as_of,
            overdue=[MoneyTotal.from_money(Money(t.overdue_minor, t.currency)) for t in ordered],
            oldest_days_past_due=self.oldest_days,
            bucket=self.bucket,
            overdue_invoice_ids=[i for t in ordered for i in t.invoice_ids],
        )


@dataclass
class DaySweep:
    """What the sweep of one day found and has to say."""

    as_of: date
    accounts_overdue: int
    announcements: list[Announcement] = field(default_factory=list)
    events: list[AccountPastDue] = field(default_factory=list)  # once what they owe is known

    def result(self) -> SweepResult:
        return SweepResult(self.as_of, self.accounts_overdue, len(self.announcements))


@dataclass
class SweepPlan:
    """The days swept in order, and where each account's announced bucket ends up."""

    days: list[DaySweep]
    # customer -> (bucket index, day it was set); None: forgotten (nothing overdue any more)
    final: dict[uuid.UUID, tuple[int, date] | None] = field(default_factory=dict)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def walk_days(
    days: Sequence[date], oldest: Sequence[OldestDue], announced: dict[uuid.UUID, int], edges: Sequence[int]
) -> SweepPlan:
    """The sweep of each day in order, as if run once per day (pure): each day's decision starts
    from what the days before it announced. `announced` is what was announced before `days[0]`.

    An account's days past due on a day count from the oldest due date among its invoices overdue
    that day: its steady ones (overdue every day after their due date) and those judged day by day.
    """
    steady: dict[uuid.UUID, date] = {}
    by_day: dict[uuid.UUID, dict[date, date]] = defaultdict(dict)
    for row in oldest:
        if row.as_of is None:
            steady[row.customer_id] = row.due_date
        else:
            by_day[row.customer_id][row.as_of] = row.due_date
    plan = SweepPlan([DaySweep(day, 0) for day in days])
    for customer_id in sorted(set(steady) | set(by_day) | set(announced)):
        state = announced.get(customer_id)
        steady_due, moved = steady.get(customer_id), by_day.get(customer_id, {})
        for sweep in plan.days:
            day = sweep.as_of
            dues = [
                d
                for d in (steady_due if steady_due and is_overdue(day, steady_due) else None, moved.get(day))
                if d
            ]
            oldest_days = days_past_due(day, min(dues)) if dues else 0
            current = bucket_index(oldest_days, edges) if dues else None
            decision = decide(state, current)
            if dues:
                sweep.accounts_overdue += 1
            if decision.change is Change.FORGET:
                state = None
                plan.final[customer_id] = None
            elif decision.change in {Change.ANNOUNCE, Change.REMEMBER} and decision.bucket_index is not None:
                state = decision.bucket_index
                plan.final[customer_id] = (decision.bucket_index, day)
            if decision.change is Change.ANNOUNCE:
                bucket = bucket_for(oldest_days, edges).label
                sweep.announcements.append(Announcement(customer_id, day, oldest_days, bucket))
    for sweep in plan.days:
        sweep.announcements.sort(key=lambda a: a.customer_id)
    return plan


async def plan_sweep(
    session: AsyncSession, first: date, last: date, edges: Sequence[int], business_entity: str | None
) -> SweepPlan:
    """Sweeps each day of [first, last] (the customers of `business_entity`, or everyone) and keeps
    what each account's announced bucket became; the events are the caller's to write, so it can
    put its own between the days (the close of business announces each day after its sweep)."""
    repo = PastDueRepository(session)
    await repo.lock_sweep(business_entity)
    oldest = await repo.oldest_due(first, last, business_entity)
    plan = walk_days(days_between(first, last), oldest, await repo.states(business_entity), edges)
    owed: dict[tuple[uuid.UUID, date], list[OverdueTotal]] = defaultdict(list)
    announced = [(a.customer_id, a.as_of) for day in plan.days for a in day.announcements]
    for total in await repo.overdue_on_the_day(announced):
        owed[(total.customer_id, total.as_of)].append(total)
    for day in plan.days:
        day.events = [a.event(owed[(a.customer_id, a.as_of)]) for a in day.announcements]
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
