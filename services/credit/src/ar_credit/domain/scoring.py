"""Credit review scoring (pure): each factor's points are shown, so the score explains itself."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal


@dataclass(frozen=True)
class Financials:
    """From the customer's latest statements, in its currency's major units."""

    current_assets: Decimal
    current_liabilities: Decimal
    total_liabilities: Decimal
    equity: Decimal
    revenue: Decimal
    net_income: Decimal
    years_in_business: int


@dataclass(frozen=True)
class Factor:
    name: str
    value: str
    points: int
    max_points: int
    explanation: str


@dataclass(frozen=True)
class Review:
    score: int
    risk_class: str
    factors: list[Factor]
    recommended_limit: Decimal
    next_review_on: date


def _band(value: Decimal, bands: Sequence[tuple[Decimal, int]], higher_is_better: bool = True) -> int:
    for threshold, points in bands:
        if (value >= threshold) if higher_is_better else (value <= threshold):
            return points
    return 0


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


RISK_BANDS = ((75, "low"), (55, "medium"), (35, "high"))
LIMIT_RATE = {
    "low": Decimal("0.10"),
    "medium": Decimal("0.07"),
    "high": Decimal("0.04"),
    "very_high": Decimal("0.01"),
}
REVIEW_MONTHS = {"low": 12, "medium": 6, "high": 3, "very_high": 1}


def score(financials: Financials, oldest_days_past_due: int, reviewed_on: date) -> Review:
    f = financials
    current_ratio = f.current_assets / f.current_liabilities if f.current_liabilities > 0 else Decimal(99)
    leverage = f.total_liabilities / f.equity if f.equity > 0 else None
    margin = f.net_income / f.revenue if f.revenue > 0 else Decimal(-1)
    years, dpd = Decimal(f.years_in_business), Decimal(oldest_days_past_due)
    factors = [
        Factor(
            "liquidity",
            f"current ratio {current_ratio:.2f}",
            _band(current_ratio, [(Decimal(2), 25), (Decimal("1.5"), 20), (Decimal(1), 12)]),
            25,
            "current assets / current liabilities: 2 or more scores 25, under 1 scores 0",
        ),
        Factor(
            "leverage",
            "negative equity" if leverage is None else f"debt to equity {leverage:.2f}",
            0
            if leverage is None
            else _band(leverage, [(Decimal("0.5"), 20), (Decimal(1), 15), (Decimal(2), 8)], False),
            20,
            "total liabilities / equity: 0.5 or less scores 20, over 2 or negative equity 0",
        ),
        Factor(
            "profitability",
            f"net margin {margin * 100:.1f} %",
            _band(margin, [(Decimal("0.10"), 20), (Decimal("0.05"), 15), (Decimal(0), 8)]),
            20,
            "net income / revenue: 10 % or more scores 20, a loss scores 0",
        ),
        Factor(
            "track record",
            f"{f.years_in_business} years in business",
            _band(years, [(Decimal(10), 15), (Decimal(5), 10), (Decimal(2), 5)]),
            15,
            "10 years or more scores 15, under 2 scores 0",
        ),
        Factor(
            "payment behaviour",
            f"oldest item {oldest_days_past_due} days past due",
            _band(dpd, [(Decimal(0), 20), (Decimal(30), 12), (Decimal(60), 5)], False),
            20,
            "nothing overdue scores 20, over 60 days past due scores 0",
        ),
    ]
    total = sum(x.points for x in factors)
    risk_class = next((name for floor, name in RISK_BANDS if total >= floor), "very_high")
    by_revenue = max(f.revenue, Decimal(0)) * LIMIT_RATE[risk_class]
    by_equity = max(f.equity, Decimal(0)) / 2
    # whole hundreds: a recommended limit is a round figure
    recommended = (min(by_revenue, by_equity) / 100).to_integral_value(rounding=ROUND_DOWN) * 100
    return Review(total, risk_class, factors, recommended, add_months(reviewed_on, REVIEW_MONTHS[risk_class]))
