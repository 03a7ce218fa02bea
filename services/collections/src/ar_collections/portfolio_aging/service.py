"""Aging per collector, team, portfolio, entity or overall as of any date, and how it moved
between dates (amounts and shares as in the ledger's reports: ar_shared.percent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from itertools import pairwise

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.domain.aging import bucket_labels
from ar_collections.grouping import Scope, group_names
from ar_collections.portfolio_aging.repository import AgingRepository
from ar_collections.portfolio_aging.schemas import (
    Aging,
    AgingDelta,
    AgingLine,
    Bucket,
    Change,
    ComparativeAging,
)
from ar_shared.money import Money
from ar_shared.percent import percent_change, percent_of
from ar_shared.problems import FieldError, Unprocessable

MAX_DATES = 12


async def aging(session: AsyncSession, as_of: date, edges: Sequence[int], scope: Scope) -> Aging:
    """Per portfolio, collector or team, each account counts where it was on `as_of` (the
    assignment history), so a comparative aging shows an account moving between collectors."""
    labels = bucket_labels(edges)
    scope = replace(scope, assigned_on=as_of)
    found = await AgingRepository(session).buckets(as_of, edges, scope)
    names = await group_names(session, scope.group_by)
    lines = []
    for (group, currency), amounts in sorted(found.items()):
        total = sum(amounts.values())
        lines.append(
            AgingLine(
                group=group, name=names.get(group), currency=currency, total=str(Money(total, currency)),
                buckets=[
                    Bucket(label=label, amount=str(Money(amounts.get(n, 0), currency)),
                           percent=percent_of(amounts.get(n, 0), total))
                    for n, label in enumerate(labels)
                ],
            )
        )  # fmt: skip
    return Aging(as_of=as_of, group_by=scope.group_by, bucket_labels=labels, lines=lines)


async def comparative(
    session: AsyncSession, dates: Sequence[date], edges: Sequence[int], scope: Scope
) -> ComparativeAging:
    days = sorted(set(dates))
    if not 2 <= len(days) <= MAX_DATES:
        message = f"give 2 to {MAX_DATES} different dates (as_of=…&as_of=…), not {len(days)}"
        raise Unprocessable(
            message,
            code="invalid_dates",
            errors=[FieldError(field="as_of", message=message, code="dates_count")],
        )
    reports = [await aging(session, day, edges, scope) for day in days]
    deltas = [delta for earlier, later in pairwise(reports) for delta in moved(earlier, later)]
    return ComparativeAging(
        group_by=scope.group_by, bucket_labels=reports[0].bucket_labels, reports=reports, deltas=deltas
    )


def moved(earlier: Aging, later: Aging) -> list[AgingDelta]:
    """Per group and currency on either date (absent counts as zero), how each bucket moved."""
    before = {(line.group, line.currency): line for line in earlier.lines}
    after = {(line.group, line.currency): line for line in later.lines}

    def minor(line: AgingLine | None, currency: str, label: str | None) -> int:
        if line is None:
            return 0
        text = line.total if label is None else next(b.amount for b in line.buckets if b.label == label)
        return Money.parse_exact(text, currency, largest=None).minor

    def change(old: AgingLine | None, new: AgingLine | None, currency: str, label: str | None) -> Change:
        a, b = minor(old, currency, label), minor(new, currency, label)
        return Change(amount=str(Money(b - a, currency)), percent=percent_change(a, b))

    return [
        AgingDelta(
            group=group,
            currency=currency,
            earlier=earlier.as_of,
            later=later.as_of,
            total=change(before.get((group, currency)), after.get((group, currency)), currency, None),
            buckets={
                label: change(before.get((group, currency)), after.get((group, currency)), currency, label)
                for label in earlier.bucket_labels
            },
        )
        for group, currency in sorted(set(before) | set(after))
    ]
