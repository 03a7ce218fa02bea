"""Runs the sweep for a business date: one AccountPastDue per account that got worse, none twice."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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


async def sweep(session: AsyncSession, as_of: date, edges: Sequence[int]) -> SweepResult:
    repo = PastDueRepository(session)
    await repo.lock_sweep()
    by_customer: dict[uuid.UUID, list[OverdueTotal]] = defaultdict(list)
    for total in await repo.overdue(as_of):
        by_customer[total.customer_id].append(total)
    states = await repo.states()
    emitted = 0
    forget = []
    for customer_id in sorted(set(by_customer) | set(states)):
        totals = by_customer.get(customer_id, [])
        oldest = max((t.oldest_days for t in totals), default=0)
        current = bucket_index(oldest, edges) if totals else None
        decision = decide(states.get(customer_id), current)
        if decision.change is Change.FORGET:
            forget.append(customer_id)
        elif decision.change in {Change.ANNOUNCE, Change.REMEMBER} and decision.bucket_index is not None:
            await repo.remember(customer_id, decision.bucket_index, as_of)
        if decision.change is Change.ANNOUNCE:
            await outbox.add(
                session,
                AccountPastDue(
                    customer_id=customer_id,
                    as_of=as_of,
                    overdue=[
                        MoneyTotal.from_money(Money(t.overdue_minor, t.currency))
                        for t in sorted(totals, key=lambda t: t.currency)
                    ],
                    oldest_days_past_due=oldest,
                    bucket=bucket_for(oldest, edges).label,
                    overdue_invoice_ids=[i for t in totals for i in t.invoice_ids],
                ),
            )
            emitted += 1
    await repo.forget(forget)
    return SweepResult(as_of, len(by_customer), emitted)
