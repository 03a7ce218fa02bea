"""Which portfolio an account belongs to: ordered assignment rules, first match wins.

Rules are tried by ascending priority (then by id, for a total order); the first rule whose
every set criterion the account meets decides. Rules of the same priority may never both
match one account (`overlaps` refuses them when they are written), so the outcome never depends
on which of two equal-priority rules happens to be read first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AccountFacts:
    """What the rules look at. `balances`: open balance per currency in minor units;
    `attributes`: the account's own (segment …) plus `sales_rep` from the ledger."""

    business_entity: str
    country: str | None = None
    region: str | None = None
    risk_class: str | None = None
    balances: Mapping[str, int] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: uuid.UUID
    portfolio_id: uuid.UUID
    priority: int
    business_entity: str | None = None
    country: str | None = None
    region: str | None = None
    risk_class: str | None = None
    # a balance band [min, max) in one currency; either end may be open
    balance_currency: str | None = None
    balance_min_minor: int | None = None
    balance_max_minor: int | None = None
    attribute_key: str | None = None
    attribute_value: str | None = None


_EQUALITIES = ("business_entity", "country", "region", "risk_class")


def mismatches(rule: Rule, facts: AccountFacts) -> list[str]:
    """The criteria of `rule` the account does not meet (empty: the rule matches)."""
    missed: list[str] = []
    for name in _EQUALITIES:
        wanted = getattr(rule, name)
        if wanted is not None and getattr(facts, name) != wanted:
            missed.append(f"{name} is {getattr(facts, name)!r}, not {wanted!r}")
    if rule.balance_currency is not None:
        balance = facts.balances.get(rule.balance_currency, 0)
        if rule.balance_min_minor is not None and balance < rule.balance_min_minor:
            missed.append(f"{rule.balance_currency} balance {balance} is below {rule.balance_min_minor}")
        if rule.balance_max_minor is not None and balance >= rule.balance_max_minor:
            missed.append(f"{rule.balance_currency} balance {balance} is not below {rule.balance_max_minor}")
    if rule.attribute_key is not None:
        actual = facts.attributes.get(rule.attribute_key)
        if actual != rule.attribute_value:
            missed.append(f"{rule.attribute_key} is {actual!r}, not {rule.attribute_value!r}")
    return missed


def matches(rule: Rule, facts: AccountFacts) -> bool:
    return not mismatches(rule, facts)


def in_order(rules: Iterable[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda r: (r.priority, str(r.id)))


@dataclass(frozen=True)
class Decision:
    """The rule that decided (None: no rule matched) and why each earlier rule did not."""

    rule: Rule | None
    passed_over: tuple[tuple[Rule, tuple[str, ...]], ...]

    @property
    def portfolio_id(self) -> uuid.UUID | None:
        return self.rule.portfolio_id if self.rule else None


def decide(rules: Sequence[Rule], facts: AccountFacts) -> Decision:
    passed_over: list[tuple[Rule, tuple[str, ...]]] = []
    for rule in in_order(rules):
        missed = mismatches(rule, facts)
        if not missed:
            return Decision(rule, tuple(passed_over))
        passed_over.append((rule, tuple(missed)))
    return Decision(None, tuple(passed_over))


def _band(rule: Rule) -> tuple[float, float]:
    low = float("-inf") if rule.balance_min_minor is None else rule.balance_min_minor
    high = float("inf") if rule.balance_max_minor is None else rule.balance_max_minor
    return low, high


def overlaps(a: Rule, b: Rule) -> bool:
    """Whether some account could meet every criterion of both rules."""
    for name in _EQUALITIES:
        x, y = getattr(a, name), getattr(b, name)
        if x is not None and y is not None and x != y:
            return False
    if a.balance_currency is not None and a.balance_currency == b.balance_currency:
        (a_low, a_high), (b_low, b_high) = _band(a), _band(b)
        if max(a_low, b_low) >= min(a_high, b_high):
            return False
    # bands in two currencies, or two different attributes, can both hold for one account
    return not (
        a.attribute_key is not None
        and a.attribute_key == b.attribute_key
        and a.attribute_value != b.attribute_value
    )


def overlapping(new: Rule, existing: Iterable[Rule]) -> list[Rule]:
    """The rules of the same priority as `new` that could match the same account."""
    return [r for r in existing if r.id != new.id and r.priority == new.priority and overlaps(new, r)]
