"""Collection KPIs (pure): DSO standard and count-back, best possible DSO, ADD, CEI.

The one implementation: the ledger's reports and the collections service's KPIs per collector,
team and portfolio both compute through `for_period`, so the same customers give the same figures.
Formulas as in the glossary (Credit Research Foundation): see docs/kpis.md. Every figure is
reported with two decimals, rounded half-up once from the exact value: ADD is the exact DSO minus
the exact best possible DSO, then rounded (not the difference of two rounded figures).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

TWO_DECIMALS = Decimal("0.01")
# AR of everyone over a few minor units of sales, times a long period, has more digits than the
# default context's 28: the quotient and its rounding would fail
_WIDE = Context(prec=80)


def rounded(value: Decimal) -> Decimal:
    """Two decimals, halves up: how every KPI is reported."""
    return value.quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP, context=_WIDE)


@dataclass(frozen=True)
class SalesSlice:
    """Credit sales of a stretch of days, at most one calendar month: what count-back walks over."""

    first: date
    last: date  # inclusive
    sales_minor: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class KpiInputs:
    period_days: int
    credit_sales_minor: int
    beginning_ar_minor: int
    ending_ar_minor: int
    ending_current_ar_minor: int
    count_back_sales: Sequence[SalesSlice]  # oldest first, the period's months and earlier ones


@dataclass(frozen=True)
class Kpis:
    dso: Decimal | None
    dso_count_back: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    cei_percent: Decimal | None


def exact_dso(ending_ar: int, credit_sales: int, days: int) -> Decimal | None:
    """Ending AR / credit sales in the period x days in the period, unrounded."""
    if credit_sales <= 0:
        return None
    with localcontext(_WIDE):
        return Decimal(ending_ar) / Decimal(credit_sales) * days


def dso(ending_ar: int, credit_sales: int, days: int) -> Decimal | None:
    exact = exact_dso(ending_ar, credit_sales, days)
    return None if exact is None else rounded(exact)


def dso_count_back(ending_ar: int, slices: Sequence[SalesSlice]) -> Decimal | None:
    """Subtract each month's sales from ending AR, newest first, counting that month's days,
    until the rest is smaller than a month's sales; add rest / that month's sales x its days.

    `slices` reach back before the period as far as the oldest open invoice, so AR older than
    the period is counted in the months it was sold in rather than left unplaced. None only when
    the sales given cannot hold the AR (the caller gave too few months).
    """
    if ending_ar <= 0:
        return Decimal("0.00")
    remaining = Decimal(ending_ar)
    days = Decimal(0)
    with localcontext(_WIDE):
        for piece in reversed(slices):
            if piece.sales_minor > 0 and remaining < piece.sales_minor:
                return rounded(days + remaining / Decimal(piece.sales_minor) * piece.days)
            remaining -= max(piece.sales_minor, 0)
            days += piece.days
            if remaining == 0:
                return rounded(days)
    return None


def cei(beginning_ar: int, credit_sales: int, ending_ar: int, ending_current_ar: int) -> Decimal | None:
    """(Beginning AR + credit sales - ending AR) / (beginning AR + credit sales - ending current AR) x 100,
    with the whole period's credit sales."""
    denominator = beginning_ar + credit_sales - ending_current_ar
    if denominator <= 0:
        return None
    with localcontext(_WIDE):
        return rounded(Decimal(beginning_ar + credit_sales - ending_ar) * 100 / Decimal(denominator))


def compute(inputs: KpiInputs) -> Kpis:
    standard = exact_dso(inputs.ending_ar_minor, inputs.credit_sales_minor, inputs.period_days)
    best = exact_dso(inputs.ending_current_ar_minor, inputs.credit_sales_minor, inputs.period_days)
    return Kpis(
        dso=None if standard is None else rounded(standard),
        dso_count_back=dso_count_back(inputs.ending_ar_minor, inputs.count_back_sales),
        best_possible_dso=None if best is None else rounded(best),
        average_days_delinquent=(
            rounded(_WIDE.subtract(standard, best)) if standard is not None and best is not None else None
        ),
        cei_percent=cei(
            inputs.beginning_ar_minor,
            inputs.credit_sales_minor,
            inputs.ending_ar_minor,
            inputs.ending_current_ar_minor,
        ),
    )


def count_back_slices(earliest: date, start: date, end: date) -> list[tuple[date, date]]:
    """The stretches count-back walks, oldest first: each calendar month from `earliest`'s to
    `end`'s, cut at `end`, and the month of `start` cut in two at `start` (the part before the
    period and the part in it). Months before the period count whole."""
    earliest = min(earliest, start)
    result = []
    year, month = earliest.year, earliest.month
    while (year, month) <= (end.year, end.month):
        first = date(year, month, 1)
        last = min(date(year, month, calendar.monthrange(year, month)[1]), end)
        if first < start <= last:
            result += [(first, start - timedelta(days=1)), (start, last)]
        else:
            result.append((first, last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def in_period(first_day: date, start: date) -> bool:
    """Whether a stretch starting on `first_day` lies in the period starting on `start`."""
    return first_day >= start


@dataclass(frozen=True)
class PeriodFigures:
    """What a KPI report of one currency needs from the books, in minor units."""

    start: date
    end: date
    beginning_ar: int  # as of the day before start
    ending_ar: int
    ending_current_ar: int
    # credit sales per (calendar month's first day, whether in the period), from count_back_slices
    sales: Mapping[tuple[date, bool], int]
    stretches: Sequence[tuple[date, date]]


def for_period(figures: PeriodFigures) -> tuple[KpiInputs, Kpis]:
    slices = [
        SalesSlice(first, last, figures.sales.get((first.replace(day=1), in_period(first, figures.start)), 0))
        for first, last in figures.stretches
    ]
    inputs = KpiInputs(
        period_days=(figures.end - figures.start).days + 1,
        credit_sales_minor=sum(s.sales_minor for s in slices if s.first >= figures.start),
        beginning_ar_minor=figures.beginning_ar,
        ending_ar_minor=figures.ending_ar,
        ending_current_ar_minor=figures.ending_current_ar,
        count_back_sales=slices,
    )
    return inputs, compute(inputs)
