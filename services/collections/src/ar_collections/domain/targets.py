"""Collection targets: the periods they are set for, and how far along a target is.

A period is written as a manager says it: `2026-11` (a month), `2026-Q4` (a quarter), `2026`
(a year). Progress compares the share of the target collected with the share of the period
gone by (the pace): ahead or behind is read from those two, not from the amount alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

PeriodKind = Literal["month", "quarter", "year"]
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"(\d{4})")
FIRST_YEAR, LAST_YEAR = 1900, 2999  # the accepted date range (ar_shared.inputs)


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    label: str
    starts_on: date
    ends_on: date  # inclusive

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def parse_period(text: str) -> Period:
    """ValueError for anything but `YYYY-MM`, `YYYY-Qn` or `YYYY` within the accepted years."""
    if match := _MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r}: no month {month}")
        period = Period("month", text, date(year, month, 1), _month_end(year, month))
    elif match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        first = 3 * (quarter - 1) + 1
        period = Period("quarter", text, date(year, first, 1), _month_end(year, first + 2))
    elif _YEAR.fullmatch(text):
        year = int(text)
        period = Period("year", text, date(year, 1, 1), date(year, 12, 31))
    else:
        raise ValueError(f"{text!r} is not a period: write 2026-11 (month), 2026-Q4 (quarter) or 2026 (year)")
    if not FIRST_YEAR <= period.starts_on.year <= LAST_YEAR:
        raise ValueError(f"{text!r} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return period


def closed(period: Period, today: date) -> bool:
    """A period that ended before today can no longer be given a target."""
    return period.ends_on < today


def percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Progress:
    collected_minor: int
    remaining_minor: int
    percent_collected: Decimal | None
    percent_of_period: Decimal  # the pace
    on_track: bool


def progress(period: Period, as_of: date, target_minor: int, collected_minor: int) -> Progress:
    """Where a target stands on `as_of` (before the period: nothing gone by; after: all of it)."""
    gone = min(max((as_of - period.starts_on).days + 1, 0), period.days)
    pace = percent(gone, period.days)
    assert pace is not None
    done = percent(collected_minor, target_minor)
    return Progress(
        collected_minor=collected_minor,
        remaining_minor=max(target_minor - collected_minor, 0),
        percent_collected=done,
        percent_of_period=pace,
        on_track=done is None or done >= pace,
    )
