"""Exposure, policy breaches and the order decision, as plain functions of plain numbers."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Policy:
    max_days_past_due: int
    max_overdue_minor: int
    over_limit_tolerance_bp: int  # basis points: 500 = 5 %


def policy_breaches(
    parts: ExposureParts, limit_minor: int | None, policy: Policy, *, include_disputed: bool
) -> list[str]:
    """The reason codes for which the policy holds the customer (empty: within policy)."""
    reasons = []
    if parts.oldest_days_past_due > policy.max_days_past_due:
        reasons.append("past_due")
    if parts.overdue > policy.max_overdue_minor:
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
