"""Collector-activity KPIs (pure): promise kept rate, contacts per working day, dispute ages and
cash collected against target. The balance KPIs (DSO, CEI ...) are the ledger's too and live in
ar_shared.kpis; these exist only in collections. Formulas: docs/kpis.md.

Every figure has two decimals, rounded half-up once from the exact value (as ar_shared.kpis does).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ar_shared.kpis import rounded

SATURDAY = 5  # date.weekday(): Monday 0 … Sunday 6


@dataclass(frozen=True, slots=True)
class PromiseTally:
    """Promises judged in a period, by status: how many, the amount promised, the cash received
    on the promised items by each deadline (counted up to each promise's amount)."""

    kept: int = 0
    partially_kept: int = 0
    broken: int = 0
    kept_minor: int = 0
    partially_kept_minor: int = 0
    broken_minor: int = 0
    received_minor: int = 0

    @property
    def judged(self) -> int:
        return self.kept + self.partially_kept + self.broken

    @property
    def promised_minor(self) -> int:
        return self.kept_minor + self.partially_kept_minor + self.broken_minor


def counted_received(promised_minor: int, received_minor: int) -> int:
    """What a promise's cash counts for the rate by amount: never more than was promised (a
    customer paying more on one promise does not make up for a broken one)."""
    return max(0, min(promised_minor, received_minor))


def tally(judged: Iterable[tuple[str, int, int]]) -> PromiseTally:
    """(status, amount promised, cash received by the deadline) of each judged promise."""
    counts = {"kept": 0, "partially_kept": 0, "broken": 0}
    amounts = dict.fromkeys(counts, 0)
    received = 0
    for status, promised_minor, received_minor in judged:
        counts[status] += 1
        amounts[status] += promised_minor
        received += counted_received(promised_minor, received_minor)
    return PromiseTally(
        counts["kept"], counts["partially_kept"], counts["broken"],
        amounts["kept"], amounts["partially_kept"], amounts["broken"], received,
    )  # fmt: skip


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole x 100, two decimals; None when there is no whole."""
    if whole <= 0:
        return None
    return rounded(Decimal(part) * 100 / Decimal(whole))


def kept_rate_by_count(tally: PromiseTally) -> Decimal | None:
    """kept / (kept + partially kept + broken) x 100 (the glossary's)."""
    return percent(tally.kept, tally.judged)


def kept_rate_by_amount(tally: PromiseTally) -> Decimal | None:
    """Cash received on the promised items / amount promised x 100 (the glossary's)."""
    return percent(tally.received_minor, tally.promised_minor)


def working_days(start: date, end: date) -> int:
    """Monday to Friday from start to end, both included (0 when end is before start).

    The entities' business calendars (calendars/) carry a time zone and the business date, no
    holidays: a working day is a weekday."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    extra = sum(1 for n in range(rest) if (start + timedelta(days=n)).weekday() < SATURDAY)
    return weeks * 5 + extra


def per_working_day(count: int, days: int) -> Decimal | None:
    if days <= 0:
        return None
    return rounded(Decimal(count) / Decimal(days))


def average_days(total_days: int, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return rounded(Decimal(total_days) / Decimal(count))


def attainment(collected_minor: int, target_minor: int | None) -> Decimal | None:
    """Collected / target x 100; None without a target (or a target of zero)."""
    return None if target_minor is None else percent(collected_minor, target_minor)
