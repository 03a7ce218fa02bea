"""Exposure, policy breaches and the order decision, as plain functions of plain numbers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

Decision = Literal["approved", "over_limit", "held"]


@dataclass(frozen=True)
class ExposureParts:
    """All in minor units of the customer's currency."""

    open_ar: int
    unapplied_cash: int
    unapplied_credits: int
    open_orders: int
    disputed: int
    overdue: int
    oldest_days_past_due: int

    def total(self, *, include_disputed: bool) -> int:
        """Open AR net of unapplied cash and credits, plus open orders (disputes in or out)."""
        ar = self.open_ar if include_disputed else self.open_ar - self.disputed
        return ar - self.unapplied_cash - self.unapplied_credits + self.open_orders


def overdue_position(open_invoices: Iterable[tuple[int, date]], today: date) -> tuple[int, date | None]:
    """What is overdue on `today` of (open amount, due date) pairs, and the oldest open due date.

    An invoice is overdue the day after its due date (due today is current). The exposure picture
    computes the same in SQL (`exposure.picture`), checked against this in the tests.
    """
    overdue, oldest = 0, None
    for open_minor, due in open_invoices:
        if open_minor <= 0:
            continue
        if is_overdue(due, today):
            overdue += open_minor
        oldest = due if oldest is None or due < oldest else oldest
    return overdue, oldest


def days_past_due(oldest_open_due: date | None, today: date) -> int:
    """Days the oldest open invoice is past due on `today` (0: nothing past due)."""
    return max((today - oldest_open_due).days, 0) if oldest_open_due else 0


def is_overdue(due_date: date, today: date) -> bool:
    """Past due on `today`: the day after the due date and later (due today is current)."""
    return days_past_due(due_date, today) > 0


def overdue_sql(due_date: str, today: str) -> str:
    """`is_overdue` as a SQL predicate over two date expressions (column names or bind
    parameters, never user text), on the due date alone so its index serves."""
    return f"{due_date} < {today}"


@dataclass(frozen=True)
class Policy:
    max_days_past_due: int
    max_overdue_minor: int | None  # in the customer's currency; None: no threshold in that currency
    over_limit_tolerance_bp: int  # basis points: 500 = 5 %


def policy_breaches(
    parts: ExposureParts, limit_minor: int | None, policy: Policy, *, include_disputed: bool
) -> list[str]:
    """The reason codes for which the policy holds the customer (empty: within policy)."""
    reasons = []
    if parts.oldest_days_past_due > policy.max_days_past_due:
        reasons.append("past_due")
    if policy.max_overdue_minor is not None and parts.overdue > policy.max_overdue_minor:
        reasons.append("overdue_amount")
    # integer arithmetic: exposure > limit x (1 + tolerance); no limit set, no over-limit hold
    exposure = parts.total(include_disputed=include_disputed)
    if limit_minor is not None and exposure * 10_000 > limit_minor * (
        10_000 + policy.over_limit_tolerance_bp
    ):
        reasons.append("over_limit")
    return reasons


def order_decision(
    parts: ExposureParts, limit_minor: int, amount_minor: int, *, held: bool, include_disputed: bool
) -> tuple[Decision, int, list[str]]:
    """Decision, available credit before the order, and reasons.

    Reaching the limit exactly is approved.
    """
    available = limit_minor - parts.total(include_disputed=include_disputed)
    if held:
        return "held", available, ["credit_hold"]
    if amount_minor > available:
        return "over_limit", available, ["exceeds_available_credit"]
    return "approved", available, []


def order_verdict(
    parts: ExposureParts,
    limit_minor: int | None,
    amount_minor: int,
    hold_reasons: list[str],
    *,
    include_disputed: bool,
) -> tuple[Decision, int, list[str]]:
    """The order decision with every reason a reader is told: the decision's own, the reason code
    of each active hold, and `no_credit_limit` for a customer without a profile (limit 0). The
    credit check and the re-evaluation of blocked orders both answer with this."""
    decision, available, reasons = order_decision(
        parts, limit_minor or 0, amount_minor, held=bool(hold_reasons), include_disputed=include_disputed
    )
    reasons = reasons + hold_reasons
    if limit_minor is None:
        reasons.append("no_credit_limit")
    return decision, available, reasons
