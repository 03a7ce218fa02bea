"""The worklist's priority score: a sum of parts, each weight x value, every part shown.

| part | value |
|---|---|
| amount_overdue | overdue amount in thousands (major units, currencies added at face value) |
| days_past_due | days past due of the oldest overdue item |
| risk_class | low 0, medium 1, high 2, very_high 3 (no credit profile: 1) |
| promise | 2 when a promise was broken since the last contact, 1 when one is due today, else 0 |
| dispute_age | days since the oldest open dispute was opened |
| days_since_last_contact | days past due without a contact: days since the last contact, at most the |
|  | oldest item's days past due (0 when nothing is overdue) |
| follow_up_due | 1 when an open task is due on or before the business date |

Points are weight x value rounded to the cent (half to even), at most `MAX_PART_POINTS` each; the
score is their sum. Weights are per installation (`PUT /v1/worklist/weights`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ar_shared.money import currency_exponent

PARTS = (
    "amount_overdue",
    "days_past_due",
    "risk_class",
    "promise",
    "dispute_age",
    "days_since_last_contact",
    "follow_up_due",
)
DEFAULT_WEIGHTS: Mapping[str, Decimal] = {
    "amount_overdue": Decimal("1.0"),
    "days_past_due": Decimal("0.5"),
    "risk_class": Decimal("10"),
    "promise": Decimal("20"),
    "dispute_age": Decimal("0.2"),
    "days_since_last_contact": Decimal("0.5"),
    "follow_up_due": Decimal("25"),
}
# a part saturates here: the largest weight (999999.9999) times quadrillions of overdue yen would
# otherwise pass what PostgreSQL's bigint (and a cursor) holds; no real score comes near it
MAX_PART_POINTS = 10**13
MAX_PART_CENTS = MAX_PART_POINTS * 100
RISK_CLASS_VALUES: Mapping[str, int] = {"low": 0, "medium": 1, "high": 2, "very_high": 3}
UNKNOWN_RISK_VALUE = 1


@dataclass(frozen=True, slots=True)
class ScoreInputs:
    overdue_minor: Mapping[str, int]  # per currency
    oldest_days_past_due: int
    risk_class: str | None
    days_since_last_contact: int | None  # None: never contacted
    follow_up_due: bool
    promise_due_today: bool = False
    promise_broken: bool = False
    oldest_dispute_days: int = 0


@dataclass(frozen=True)
class ScorePart:
    part: str
    weight: Decimal
    value: Decimal
    points: Decimal


@dataclass(frozen=True)
class Score:
    parts: tuple[ScorePart, ...]
    total: Decimal


def _value_fractions(inputs: ScoreInputs) -> tuple[tuple[int, int], ...]:
    """Each part's value as an exact fraction (numerator, denominator), in the order of PARTS."""
    # overdue in thousands of major units: minor / 10**(exponent + 3), over a common denominator
    exponents = {c: currency_exponent(c) for c in inputs.overdue_minor}
    scale = max(exponents.values(), default=0) + 3
    overdue = sum(m * 10 ** (scale - exponents[c] - 3) for c, m in inputs.overdue_minor.items())
    days_past_due = max(inputs.oldest_days_past_due, 0)
    if days_past_due == 0:
        uncontacted = 0
    elif inputs.days_since_last_contact is None:
        uncontacted = days_past_due
    else:
        uncontacted = min(max(inputs.days_since_last_contact, 0), days_past_due)
    return (
        (overdue, 10**scale),  # amount_overdue
        (days_past_due, 1),
        (RISK_CLASS_VALUES.get(inputs.risk_class or "", UNKNOWN_RISK_VALUE), 1),
        (2 if inputs.promise_broken else 1 if inputs.promise_due_today else 0, 1),
        (max(inputs.oldest_dispute_days, 0), 1),
        (uncontacted, 1),  # days_since_last_contact
        (1 if inputs.follow_up_due else 0, 1),
    )


def _half_even(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


def total_in_cents(inputs: ScoreInputs, weights: Mapping[str, Decimal]) -> int:
    """The score in cents (what the worklist orders by): the sum of `points_in_cents`."""
    ratios = _ratios(tuple(weights[part] for part in PARTS))
    return sum(
        min(_half_even(weight * value * 100, weight_scale * value_scale), MAX_PART_CENTS)
        for (weight, weight_scale), (value, value_scale) in zip(ratios, _value_fractions(inputs), strict=True)
    )


@lru_cache(maxsize=64)
def _ratios(weights: tuple[Decimal, ...]) -> tuple[tuple[int, int], ...]:
    # a worklist scores thousands of accounts with the same seven weights
    return tuple(w.as_integer_ratio() for w in weights)


def points_in_cents(inputs: ScoreInputs, weights: Mapping[str, Decimal]) -> dict[str, int]:
    """Each part's points in cents, exactly: weight x value rounded half to even (at most
    `MAX_PART_CENTS`). Integer arithmetic only, so a worklist scores thousands of accounts in
    milliseconds."""
    ratios = _ratios(tuple(weights[part] for part in PARTS))
    return {
        part: min(_half_even(weight * value * 100, weight_scale * value_scale), MAX_PART_CENTS)
        for part, (weight, weight_scale), (value, value_scale) in zip(
            PARTS, ratios, _value_fractions(inputs), strict=True
        )
    }


def part_values(inputs: ScoreInputs) -> dict[str, Decimal]:
    return {
        part: Decimal(n) / Decimal(d) for part, (n, d) in zip(PARTS, _value_fractions(inputs), strict=True)
    }


def score(inputs: ScoreInputs, weights: Mapping[str, Decimal]) -> Score:
    values = part_values(inputs)
    cents = points_in_cents(inputs, weights)
    parts = tuple(
        ScorePart(part=name, weight=weights[name], value=values[name], points=Decimal(cents[name]).scaleb(-2))
        for name in PARTS
    )
    return Score(parts, Decimal(sum(cents.values())).scaleb(-2))
