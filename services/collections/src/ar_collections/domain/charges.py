"""Dunning charges: the fixed fee of a dunning level and late-payment interest over the days late.

Interest on one open item is simple (not compounded) interest on its open balance, for each day
late from its due date (or from the day after the date interest was last charged through) up to
and including the business date charged for. The annual rate of each day is the rate period in
force that day: reference rate + margin (a statutory default such as "reference rate + 8
percentage points" is a setting: the reference rate and the margin, with the date each applies
from). The day-count basis says what a year is: `act_365` (365 days, the usual fixed basis) or
`act_360`. The exact interest of an item is computed with fractions and rounded once to the
minor unit, half to even (banker's rounding, as `ar_shared.money` rounds); the charge is the sum
of the rounded items, so the lines a letter prints add up to its total.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Literal

DayCount = Literal["act_365", "act_360"]
DAYS_IN_YEAR: Mapping[str, int] = {"act_365": 365, "act_360": 360}
# an annual rate above this is a typing error, not a policy (statutory rates are single digits
# above a reference rate); a reference rate may be below zero, the annual rate may not
MAX_ANNUAL_RATE_PERCENT = Decimal(50)
MIN_REFERENCE_RATE_PERCENT = Decimal(-10)


@dataclass(frozen=True, slots=True)
class RatePeriod:
    """From `effective_from` on (until the next period), the annual rate is reference + margin."""

    effective_from: date
    reference_rate_percent: Decimal
    margin_percent: Decimal

    @property
    def annual_rate_percent(self) -> Decimal:
        return self.reference_rate_percent + self.margin_percent


@dataclass(frozen=True, slots=True)
class InterestTerms:
    currency: str
    day_count: DayCount
    periods: Sequence[RatePeriod]


@dataclass(frozen=True, slots=True)
class LateItem:
    """An open item interest may run on: its open balance, due date, and the date interest was
    last charged through (None: never)."""

    invoice_id: uuid.UUID
    currency: str
    open_minor: int
    due_date: date
    charged_through: date | None = None


@dataclass(frozen=True, slots=True)
class ItemInterest:
    invoice_id: uuid.UUID
    open_minor: int
    interest_from: date  # the first day late counted
    days_late: int
    interest_minor: int


def rate_period_errors(periods: Sequence[RatePeriod]) -> list[tuple[int, str, str]]:
    """(index, code, message) of each period that cannot be stored: a reference rate below the
    floor, an annual rate below zero or above the cap, two periods from the same date."""
    errors: list[tuple[int, str, str]] = []
    seen: set[date] = set()
    for n, period in enumerate(periods):
        if period.reference_rate_percent < MIN_REFERENCE_RATE_PERCENT:
            errors.append((n, "rate_out_of_range", f"a reference rate below {MIN_REFERENCE_RATE_PERCENT}%"))
        elif period.margin_percent < 0:
            errors.append((n, "rate_out_of_range", "the margin may not be below zero"))
        elif not 0 <= period.annual_rate_percent <= MAX_ANNUAL_RATE_PERCENT:
            errors.append(
                (
                    n,
                    "rate_out_of_range",
                    f"the annual rate (reference + margin) must be between 0 and {MAX_ANNUAL_RATE_PERCENT}%,"
                    f" not {period.annual_rate_percent}%",
                )
            )
        if period.effective_from in seen:
            errors.append((n, "duplicate_effective_from", f"two periods from {period.effective_from}"))
        seen.add(period.effective_from)
    return errors


def _rate_on_days(periods: Sequence[RatePeriod], first: date, last: date) -> Fraction:
    """Sum over the days first..last (inclusive) of the annual rate in percent in force that day
    (0 before the first period)."""
    ordered = sorted(periods, key=lambda p: p.effective_from)
    total = Fraction(0)
    for n, period in enumerate(ordered):
        start = max(first, period.effective_from)
        end = last if n + 1 == len(ordered) else min(last, ordered[n + 1].effective_from - timedelta(days=1))
        if end >= start:
            total += Fraction(period.annual_rate_percent) * ((end - start).days + 1)
    return total


def item_interest(item: LateItem, terms: InterestTerms, as_of: date) -> ItemInterest | None:
    """Interest on one item for its days late up to `as_of` not charged yet (None: none due)."""
    if item.currency != terms.currency or item.open_minor <= 0:
        return None
    first = item.due_date + timedelta(days=1)
    if item.charged_through is not None:
        first = max(first, item.charged_through + timedelta(days=1))
    if first > as_of:
        return None
    exact = (
        item.open_minor * _rate_on_days(terms.periods, first, as_of) / (100 * DAYS_IN_YEAR[terms.day_count])
    )
    # Fraction rounds half to even, as Money does by default
    minor = round(exact)
    return ItemInterest(item.invoice_id, item.open_minor, first, (as_of - first).days + 1, minor)


def late_interest(items: Sequence[LateItem], terms: InterestTerms, as_of: date) -> list[ItemInterest]:
    """Interest per item (items with none left out, e.g. not late, or under half a minor unit)."""
    computed = (item_interest(item, terms, as_of) for item in items)
    return [c for c in computed if c is not None and c.interest_minor > 0]


def fee_for_level(schedule: Mapping[tuple[int, str], int], level: int, currency: str) -> int | None:
    """The fixed fee of a dunning level in a currency, in minor units (None: none set)."""
    return schedule.get((level, currency))
