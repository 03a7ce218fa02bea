"""Customer scorecards and red flags (pure): the months a scorecard shows, trends against the
previous month, amount-weighted days late, credit use, and when a customer's figures raise a flag.

Each flag has an occurrence key, so the job that looks for them may run any number of times and
raise each occurrence once: an ADD streak is keyed by the month it started from, a bounced payment
by the payment, repeated broken promises by the promise that completed the count, credit use above
the threshold by the calendar month it was seen in (at most one escalation a month while it lasts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from ar_shared.kpis import rounded

Trend = Literal["up", "down", "flat"]
FlagKind = Literal["add_rising", "bounced_payment", "broken_promises", "credit_use"]
FLAG_KINDS: tuple[FlagKind, ...] = ("add_rising", "bounced_payment", "broken_promises", "credit_use")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
MAX_MONTHS = 24


@dataclass(frozen=True, slots=True)
class Month:
    first: date
    last: date  # inclusive

    @property
    def label(self) -> str:
        return self.first.strftime("%Y-%m")


def month_of(day: date) -> Month:
    first = day.replace(day=1)
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return Month(first, following - timedelta(days=1))


def parse_month(text: str) -> Month:
    """ValueError for anything but `YYYY-MM` (years 1900 to 2999)."""
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2999:
        raise ValueError(f"{text!r} is not a month written YYYY-MM")
    return month_of(date(int(match[1]), int(match[2]), 1))


def months_back(last: Month, count: int) -> list[Month]:
    """`count` calendar months ending with `last`, oldest first."""
    result = [last]
    while len(result) < count:
        result.insert(0, month_of(result[0].first - timedelta(days=1)))
    return result


def last_complete_month(as_of: date) -> Month:
    """The latest month wholly on or before `as_of`."""
    current = month_of(as_of)
    return current if as_of == current.last else month_of(current.first - timedelta(days=1))


def kinds_to_judge(previous: date | None, today: date) -> tuple[FlagKind, ...]:
    """The kinds of flag whose figures can differ on `today` from those of `previous`, the last date
    the entity's flags were judged (None: never). ADD is a complete month's: it reads the twelve
    complete months up to `today`'s last, so it moves only when that month does (on a month's last
    day, or the first date after a jump over one or more month ends). Bounced payments, broken
    promises and credit use are a day's figures: judged every date."""
    monthly = previous is None or last_complete_month(previous) != last_complete_month(today)
    return FLAG_KINDS if monthly else tuple(k for k in FLAG_KINDS if k != "add_rising")


def trend(previous: Decimal | int | None, current: Decimal | int | None) -> Trend | None:
    if previous is None or current is None:
        return None
    return "up" if current > previous else "down" if current < previous else "flat"


def weighted_days_late(applied: Sequence[tuple[int, int]]) -> Decimal | None:
    """(amount, days from due date to application: negative when early) → the amount-weighted mean,
    two decimals; None when no cash was applied."""
    total = sum(amount for amount, _ in applied)
    if total <= 0:
        return None
    return rounded(Decimal(sum(amount * days for amount, days in applied)) / Decimal(total))


def credit_use(open_ar_minor: int, limit_minor: int | None) -> Decimal | None:
    """Open AR as a percentage of the credit limit; None without a (positive) limit."""
    if limit_minor is None or limit_minor <= 0:
        return None
    return rounded(Decimal(open_ar_minor) * 100 / Decimal(limit_minor))


@dataclass(frozen=True, slots=True)
class Flag:
    kind: FlagKind
    occurrence: str
    seen_on: date  # the day the figures behind it are of
    evidence: dict[str, object]
    summary: str


def add_rising(add_by_month: Sequence[tuple[Month, Decimal | None]], runs: int = 3) -> Flag | None:
    """ADD rose `runs` months running up to the last month given (oldest first): one flag per streak,
    keyed by the month the streak rose from."""
    streak = [add_by_month[-1]] if add_by_month else []
    for month, value in reversed(add_by_month[:-1]):
        later = streak[0][1]
        if value is None or later is None or not later > value:
            break
        streak.insert(0, (month, value))
    if len(streak) - 1 < runs:
        return None
    figures = {m.label: str(v) for m, v in streak}
    text = ", ".join(f"{label} {value}" for label, value in figures.items())
    return Flag(
        "add_rising",
        f"from {streak[0][0].label}",
        streak[-1][0].last,
        {"average_days_delinquent": figures},
        f"ADD rose {len(streak) - 1} months running: {text}",
    )


def broken_promise_flags(broken: Sequence[tuple[str, date]], count: int, window_days: int) -> list[Flag]:
    """(promise id, date judged broken), any order: a flag each time `count` promises broke within
    `window_days` days, keyed by the promise that completed the count; the promises counted for
    one flag are not counted again."""
    if count <= 0:
        return []
    flags, pending = [], list[tuple[str, date]]()
    for promise_id, on in sorted(broken, key=lambda p: (p[1], p[0])):
        pending = [p for p in pending if (on - p[1]).days < window_days] + [(promise_id, on)]
        if len(pending) >= count:
            flags.append(
                Flag(
                    "broken_promises",
                    promise_id,
                    on,
                    {"broken": [{"promise_id": p, "judged_on": d.isoformat()} for p, d in pending]},
                    f"{len(pending)} promises to pay broken within {window_days} days "
                    f"({pending[0][1]} to {on})",
                )
            )
            pending = []
    return flags


def credit_use_flag(
    as_of: date, use: Decimal | None, threshold: Decimal, evidence: dict[str, object]
) -> Flag | None:
    """Credit use above the threshold: at most one flag a calendar month while it lasts."""
    if use is None or not use > threshold:
        return None
    return Flag(
        "credit_use",
        month_of(as_of).label,
        as_of,
        {
            **evidence,
            "credit_use_percent": str(use),
            "threshold_percent": str(threshold),
            "as_of": str(as_of),
        },
        f"credit use {use} % of the limit on {as_of}, above {threshold} %",
    )


def bounced_payment_flag(payment_id: str, reversed_on: date, evidence: dict[str, object]) -> Flag:
    return Flag(
        "bounced_payment",
        payment_id,
        reversed_on,
        {**evidence, "payment_id": payment_id, "reversed_on": str(reversed_on)},
        f"payment {payment_id} of {evidence.get('amount')} {evidence.get('currency')} bounced "
        f"(reversed on {reversed_on})",
    )
