"""Collection KPIs (pure): DSO standard and count-back, best possible DSO, ADD, CEI.

Formulas as in the glossary (Credit Research Foundation): see docs/kpis.md.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

ONE_DECIMAL = Decimal("0.1")
# AR of everyone over a few minor units of sales, times a long period, has more digits than the
# default context's 28: the quotient and its rounding to one decimal would fail
_WIDE = Context(prec=80)


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP, context=_WIDE)


@dataclass(frozen=True)
class MonthSales:
    year: int
    month: int
    days: int  # days of the month inside the period
    sales_minor: int


@dataclass(frozen=True)
class KpiInputs:
    period_days: int
    credit_sales_minor: int
    beginning_ar_minor: int
    ending_ar_minor: int
    ending_current_ar_minor: int
    monthly_sales: Sequence[MonthSales]  # oldest first


@dataclass(frozen=True)
class Kpis:
    dso: Decimal | None
    dso_count_back: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    cei_percent: Decimal | None


def dso(ending_ar: int, credit_sales: int, days: int) -> Decimal | None:
    """Ending AR / credit sales in the period x days in the period."""
    if credit_sales <= 0:
        return None
    with localcontext(_WIDE):
        return _round(Decimal(ending_ar) / Decimal(credit_sales) * days)


def dso_count_back(ending_ar: int, months: Sequence[MonthSales]) -> Decimal | None:
    """Subtract each month's sales from ending AR, newest first, counting that month's days,
    until the rest is smaller than a month's sales; add rest / that month's sales x its days."""
    remaining = Decimal(ending_ar)
    days = Decimal(0)
    with localcontext(_WIDE):
        for month in reversed(months):
            if month.sales_minor <= 0:
                days += month.days
                continue
            if remaining >= month.sales_minor:
                remaining -= month.sales_minor
                days += month.days
            else:
                return _round(days + remaining / Decimal(month.sales_minor) * month.days)
    # AR older than the whole period: count-back cannot place it
    return _round(days) if remaining == 0 else None


def cei(beginning_ar: int, credit_sales: int, ending_ar: int, ending_current_ar: int) -> Decimal | None:
    """(Beginning AR + credit sales - ending AR) / (beginning AR + credit sales - ending current AR) x 100,
    with the whole period's credit sales."""
    denominator = beginning_ar + credit_sales - ending_current_ar
    if denominator <= 0:
        return None
    with localcontext(_WIDE):
        return _round(Decimal(beginning_ar + credit_sales - ending_ar) * 100 / Decimal(denominator))


def compute(inputs: KpiInputs) -> Kpis:
    standard = dso(inputs.ending_ar_minor, inputs.credit_sales_minor, inputs.period_days)
    best = dso(inputs.ending_current_ar_minor, inputs.credit_sales_minor, inputs.period_days)
    return Kpis(
        dso=standard,
        dso_count_back=dso_count_back(inputs.ending_ar_minor, inputs.monthly_sales),
        best_possible_dso=best,
        average_days_delinquent=_round(_WIDE.subtract(standard, best))
        if standard is not None and best is not None
        else None,
        cei_percent=cei(
            inputs.beginning_ar_minor,
            inputs.credit_sales_minor,
            inputs.ending_ar_minor,
            inputs.ending_current_ar_minor,
        ),
    )


def months_in(start: date, end: date) -> list[tuple[int, int, int]]:
    """(year, month, days of it inside [start, end]), oldest first."""
    result = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        days = (min(last, end) - max(first, start)).days + 1
        result.append((year, month, days))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result
