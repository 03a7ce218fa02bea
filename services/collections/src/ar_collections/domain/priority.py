"""The worklist's priority score: a sum of parts, each weight x value, every part shown.

| part | value |
|---|---|
| amount_overdue | overdue amount in thousands (major units, currencies added at face value) |
| days_past_due | days past due of the oldest overdue item |
| risk_class | low 0, medium 1, high 2, very_high 3 (no credit profile: 1) |
| promise | 2 when a promise is broken, 1 when one is due today, else 0 |
| dispute_age | days since the oldest open dispute was opened |
| days_since_last_contact | days past due without a contact: days since the last contact, at most the |
|  | oldest item's days past due (0 when nothing is overdue) |
| follow_up_due | 1 when an open task is due on or before the business date |

Points are weight x value rounded to the cent (half to even); the score is their sum. Weights
are per installation (`PUT /v1/worklist/weights`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from ar_shared.money import Money

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
RISK_CLASS_VALUES: Mapping[str, int] = {"low": 0, "medium": 1, "high": 2, "very_high": 3}
UNKNOWN_RISK_VALUE = 1
_THOUSAND = Decimal(1000)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
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


def part_values(inputs: ScoreInputs) -> dict[str, Decimal]:
    overdue = sum(
        (Money(minor, currency).to_decimal() for currency, minor in inputs.overdue_minor.items()), Decimal(0)
    )
    days_past_due = max(inputs.oldest_days_past_due, 0)
    if days_past_due == 0:
        uncontacted = 0
    elif inputs.days_since_last_contact is None:
        uncontacted = days_past_due
    else:
        uncontacted = min(max(inputs.days_since_last_contact, 0), days_past_due)
    promise = 2 if inputs.promise_broken else 1 if inputs.promise_due_today else 0
    risk = RISK_CLASS_VALUES.get(inputs.risk_class or "", UNKNOWN_RISK_VALUE)
    return {
        "amount_overdue": overdue / _THOUSAND,
        "days_past_due": Decimal(days_past_due),
        "risk_class": Decimal(risk),
        "promise": Decimal(promise),
        "dispute_age": Decimal(max(inputs.oldest_dispute_days, 0)),
        "days_since_last_contact": Decimal(uncontacted),
        "follow_up_due": Decimal(1 if inputs.follow_up_due else 0),
    }


def score(inputs: ScoreInputs, weights: Mapping[str, Decimal]) -> Score:
    values = part_values(inputs)
    parts = tuple(
        ScorePart(
            part=name,
            weight=weights[name],
            value=values[name],
            points=(weights[name] * values[name]).quantize(_CENT, rounding=ROUND_HALF_EVEN),
        )
        for name in PARTS
    )
    return Score(parts, sum((p.points for p in parts), Decimal("0.00")))
