"""Dunning rules: which step of a strategy is due for an account on a business date.

A step is keyed on the days past due of the account's oldest unpaused open item (negative: days
before its due date, for pre-due reminders) and, optionally, on a band [min, max) of the overdue
amount in one currency. Two steps overlap when they have the same days and their bands (an
absent band is every amount) intersect: `overlaps` refuses them when a strategy is written.

A step fires at most once per account and dunning cycle. Steps fire upwards only: after the step
at 30 days, none at 30 days or fewer fires again in the cycle. A run that skips days (the last
run was several business dates ago) fires only the highest due step by default (`catch_up` =
"highest"), or each step crossed in order ("every").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

ACTIONS = (
    "email_reminder",
    "call_task",
    "demand_letter",
    "final_notice",
    "default_letter",
    "escalate",
    "recommend_credit_hold",
    "charge_fee",
    "recommend_write_off",
    "recommend_suspension",
)
# the actions that send a message through notifications (and so need a template key)
MESSAGE_ACTIONS = ("email_reminder", "demand_letter", "final_notice", "default_letter")
CatchUp = Literal["highest", "every"]


@dataclass(frozen=True, slots=True)
class Step:
    days: int
    action: str
    template_key: str | None = None
    locale: str = "en"
    band_currency: str | None = None
    band_min_minor: int | None = None
    band_max_minor: int | None = None
    sla_days: int = 2
    fee_level: int | None = None  # charge_fee: the level of the fee schedule it charges
    charge_interest: bool = False  # any step may also charge late-payment interest when it fires

    def band_matches(self, overdue_minor: Mapping[str, int]) -> bool:
        if self.band_currency is None:
            return True
        amount = overdue_minor.get(self.band_currency, 0)
        return (self.band_min_minor is None or amount >= self.band_min_minor) and (
            self.band_max_minor is None or amount < self.band_max_minor
        )


def _band(step: Step) -> tuple[str | None, float, float]:
    low = float("-inf") if step.band_min_minor is None else step.band_min_minor
    high = float("inf") if step.band_max_minor is None else step.band_max_minor
    return step.band_currency, low, high


def overlaps(a: Step, b: Step) -> bool:
    """Both could be the step of one account on one day: same days, intersecting bands (bands in
    different currencies may both match too: an account can owe in both)."""
    if a.days != b.days:
        return False
    (ca, la, ha), (cb, lb, hb) = _band(a), _band(b)
    if ca is None or cb is None or ca != cb:
        return True
    return la < hb and lb < ha


def overlapping_pairs(steps: Sequence[Step]) -> list[tuple[int, int]]:
    return [
        (i, j) for i in range(len(steps)) for j in range(i + 1, len(steps)) if overlaps(steps[i], steps[j])
    ]


@dataclass(frozen=True, slots=True)
class OpenItemFacts:
    invoice_id: object
    due_date: date
    currency: str
    open_minor: int
    paused: bool


def days_past_due(items: Sequence[OpenItemFacts], as_of: date) -> int | None:
    """Days past due of the oldest unpaused open item (None: nothing left to dun)."""
    dues = [i.due_date for i in items if not i.paused and i.open_minor > 0]
    return (as_of - min(dues)).days if dues else None


def overdue_amounts(items: Sequence[OpenItemFacts], as_of: date) -> dict[str, int]:
    amounts: dict[str, int] = {}
    for item in items:
        if not item.paused and item.open_minor > 0 and item.due_date < as_of:
            amounts[item.currency] = amounts.get(item.currency, 0) + item.open_minor
    return amounts


def items_for_step(items: Sequence[OpenItemFacts], step: Step, as_of: date) -> list[OpenItemFacts]:
    """What a message of the step lists: every unpaused open item overdue (a pre-due reminder
    also lists those falling due within its days)."""
    horizon = min(step.days, 1)
    return [i for i in items if not i.paused and i.open_minor > 0 and (as_of - i.due_date).days >= horizon]


@dataclass(frozen=True, slots=True)
class Cycle:
    number: int
    overdue_seen: bool
    level_days: int | None


def next_cycle(cycle: Cycle, dpd: int | None) -> Cycle:
    """An account that was overdue and no longer is (paid, or everything paused) is cured: the
    next delinquency starts a new cycle, whose steps fire afresh."""
    if dpd is not None and dpd > 0:
        return Cycle(cycle.number, True, cycle.level_days)
    # cured: was overdue and is not; or nothing is open after a (pre-due) step fired
    if cycle.overdue_seen or (dpd is None and cycle.level_days is not None):
        return Cycle(cycle.number + 1, False, None)
    return cycle


def due_steps(
    steps: Sequence[Step],
    dpd: int | None,
    overdue_minor: Mapping[str, int],
    level_days: int | None,
    catch_up: CatchUp = "highest",
) -> list[Step]:
    """The steps to fire now, lowest first: reached (days <= dpd), above the account's level in
    the cycle, in the overdue amount's band."""
    if dpd is None:
        return []
    reached = sorted(
        (
            s
            for s in steps
            if s.days <= dpd and (level_days is None or s.days > level_days) and s.band_matches(overdue_minor)
        ),
        key=lambda s: s.days,
    )
    if not reached:
        return []
    return reached if catch_up == "every" else [reached[-1]]


def quiet_below(strategies: Iterable[Sequence[Step]]) -> int:
    """The days past due below which an account is quiet on a run: no step of any strategy can
    be due (its earliest step is not reached) and its cycle cannot change (it is not overdue).

    A run may leave a quiet account without reading its items, segment, pauses or contact bar,
    when its cycle is fresh (no step fired, never seen overdue): `is_quiet` says so, and
    `due_steps` / `next_cycle` agree (tested). Pauses only lower the days past due."""
    return min([s.days for steps in strategies for s in steps] + [1])


def is_quiet(cycle: Cycle, oldest_due_days: int | None, below: int) -> bool:
    """Whether an account with open items, whose oldest (paused or not) is `oldest_due_days`
    past due, is quiet (`quiet_below`): fresh cycle, oldest item not yet within reach."""
    return (
        oldest_due_days is not None
        and oldest_due_days < below
        and not cycle.overdue_seen
        and cycle.level_days is None
    )
