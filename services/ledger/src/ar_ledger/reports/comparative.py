"""Comparative aging: the totals at several dates, and how each bucket moved between them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from itertools import pairwise

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.service import resolve_scope
from ar_ledger.filters import ReportScope
from ar_ledger.reports.schemas import AgingBasis, AgingChange, AgingDelta, AgingLine, ComparativeAging
from ar_ledger.reports.service import scoped_aging
from ar_shared.money import Money, currency_exponent, format_minor
from ar_shared.percent import percent_change


async def comparative_aging(
    session: AsyncSession,
    dates: Sequence[date],
    edges: Sequence[int],
    basis: AgingBasis,
    wanted: ReportScope,
) -> ComparativeAging:
    scope = await resolve_scope(session, wanted)
    reports = [
        await scoped_aging(session, day, edges, basis, scope, by_customer=False) for day in sorted(set(dates))
    ]
    deltas = [
        delta
        for earlier, later in pairwise(reports)
        for delta in aging_deltas(
            earlier.as_of, earlier.totals, later.as_of, later.totals, reports[0].bucket_labels
        )
    ]
    return ComparativeAging(
        basis=basis, scope=scope.label, bucket_labels=reports[0].bucket_labels, reports=reports, deltas=deltas
    )


def change(earlier_minor: int, later_minor: int, currency: str) -> AgingChange:
    """Later minus earlier, and that as a percentage of earlier (one decimal, halves away from zero)."""
    difference = later_minor - earlier_minor
    return AgingChange(
        amount=format_minor(difference, currency_exponent(currency)),
        percent=percent_change(earlier_minor, later_minor),
    )


def aging_deltas(
    earlier_on: date,
    earlier: Sequence[AgingLine],
    later_on: date,
    later: Sequence[AgingLine],
    labels: Sequence[str],
) -> list[AgingDelta]:
    """Pure: per currency found on either date (absent counts as zero), the change of each figure."""
    before = {line.currency: line for line in earlier}
    after = {line.currency: line for line in later}
    return [
        _delta(earlier_on, later_on, currency, before.get(currency), after.get(currency), labels)
        for currency in sorted(set(before) | set(after))
    ]


def _delta(
    earlier_on: date,
    later_on: date,
    currency: str,
    old: AgingLine | None,
    new: AgingLine | None,
    labels: Sequence[str],
) -> AgingDelta:
    def minor(line: AgingLine | None, read: Callable[[AgingLine], str | None]) -> int:
        text = None if line is None else read(line)
        return 0 if text is None else Money.parse_exact(text, currency, largest=None).minor

    def moved(read: Callable[[AgingLine], str | None]) -> AgingChange:
        return change(minor(old, read), minor(new, read), currency)

    return AgingDelta(
        from_as_of=earlier_on,
        to_as_of=later_on,
        currency=currency,
        buckets={label: moved(partial(_bucket, label)) for label in labels},
        total=moved(lambda line: line.total),
        unapplied_cash=moved(lambda line: line.unapplied_cash),
        unapplied_credits=moved(lambda line: line.unapplied_credits),
        net=moved(lambda line: line.net),
    )


def _bucket(label: str, line: AgingLine) -> str | None:
    return line.buckets.get(label)
