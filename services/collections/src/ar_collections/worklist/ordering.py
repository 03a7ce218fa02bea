"""The worklist's order in SQL: the priority score (domain/priority.py) and SLA breaches
(domain/sla.py) written for PostgreSQL, so the database orders and pages thousands of accounts and
Python judges only the page it shows.

The rules have their one home in the domain modules; the SQL here is generated from the same
weights, risk values and SLA rules, and `tests/test_worklist_order_in_sql.py` checks, on random
accounts, that PostgreSQL computes exactly the cents and breaches the domain functions compute
(half-to-even rounding of each part included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ar_collections.domain import priority, sla


class Parameters:
    """Collects positional parameters ($1, $2, …) for a statement sent to asyncpg."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any, cast: str) -> str:
        self.values.append(value)
        return f"CAST(${len(self.values)} AS {cast})"


def _half_even(x: str) -> str:
    # x >= 0 (weights and values are never negative)
    return (
        f"(floor({x}) + CASE WHEN {x} - floor({x}) > 0.5 "
        f"OR ({x} - floor({x}) = 0.5 AND mod(floor({x}), 2) = 1) THEN 1 ELSE 0 END)"
    )


def _risk_value(column: str) -> str:
    cases = " ".join(f"WHEN '{name}' THEN {value}" for name, value in priority.RISK_CLASS_VALUES.items())
    return f"(CASE {column} {cases} ELSE {priority.UNKNOWN_RISK_VALUE} END)"


def part_values_sql(j: str) -> dict[str, str]:
    """Each part's value over the columns of relation `j`, as priority.part_values defines it.

    Columns: overdue_thousands (numeric), days_past_due, risk_class, last_contact_on, as_of,
    tasks_counted, promise_broken, promise_due_today, oldest_dispute_opened_on (the oldest case not
    closed; disputes.age_in_days).
    """
    return {
        "amount_overdue": f"coalesce({j}.overdue_thousands, 0)",
        "days_past_due": f"{j}.days_past_due",
        "risk_class": _risk_value(f"{j}.risk_class"),
        "promise": (f"(CASE WHEN {j}.promise_broken THEN 2 WHEN {j}.promise_due_today THEN 1 ELSE 0 END)"),
        "dispute_age": (
            f"(CASE WHEN {j}.oldest_dispute_opened_on IS NULL THEN 0 "
            f"ELSE greatest({j}.as_of - {j}.oldest_dispute_opened_on, 0) END)"
        ),
        "days_since_last_contact": (
            f"(CASE WHEN {j}.days_past_due = 0 THEN 0 "
            f"WHEN {j}.last_contact_on IS NULL THEN {j}.days_past_due "
            f"ELSE least(greatest({j}.as_of - {j}.last_contact_on, 0), {j}.days_past_due) END)"
        ),
        "follow_up_due": f"(CASE WHEN {j}.tasks_counted > 0 THEN 1 ELSE 0 END)",
    }


def score_laterals_sql(j: str, weights: Mapping[str, Decimal], p: Parameters) -> str:
    """Two LATERAL subqueries after relation `j`: the parts' exact points x 100 (`x`), and
    `cents`, the score in cents (each part rounded half to even, then added up)."""
    values = part_values_sql(j)
    # a part whose value is always 0 (no facts yet) adds 0 points: left out of the sum
    parts = [part for part in priority.PARTS if values[part] != "0"]
    raw = ", ".join(
        f"{p(weights[part], 'numeric')} * ({values[part]})::numeric * 100 AS x{i}"
        for i, part in enumerate(parts)
    )
    # each part saturates as priority.points_in_cents does, so the sum always fits a bigint
    total = " + ".join(
        f"least({_half_even(f'x.x{i}')}, {priority.MAX_PART_CENTS})" for i in range(len(parts))
    )
    return f"LATERAL (SELECT {raw}) x, LATERAL (SELECT ({total})::bigint AS cents) c"


def contact_columns_sql(rules: Sequence[sla.SlaRule], a: str, p: Parameters) -> list[str]:
    """Per rule, the latest business date of an activity it accepts (aggregates over `a`)."""
    columns = []
    for i, rule in enumerate(rules):
        condition = f"{a}.kind = {p(rule.action_kind, 'text')}"
        if rule.action_direction is not None:
            condition += f" AND {a}.direction = {p(rule.action_direction, 'text')}"
        columns.append(f"max({a}.occurred_on) FILTER (WHERE {condition}) AS rule_{i}")
    return columns


def breached_sql(rules: Sequence[sla.SlaRule], j: str, c: str, p: Parameters) -> str:
    """Whether the account's most urgent SLA is breached (sla.rule_status / sla.task_status).

    Columns of `j`: barred, task_breached (a due task past its SLA date, contact tasks left out
    while contact is barred), oldest_overdue_due, as_of, business_entity, risk_class,
    portfolio_id; of `c`: rule_<i>, the latest accepted activity per rule.
    """
    per_rule = []
    for i, rule in enumerate(rules):
        terms = []
        if rule.business_entity is not None:
            terms.append(f"{j}.business_entity = {p(rule.business_entity, 'text')}")
        if rule.risk_class is not None:
            terms.append(f"{j}.risk_class = {p(rule.risk_class, 'text')}")
        if rule.portfolio_id is not None:
            terms.append(f"{j}.portfolio_id = {p(rule.portfolio_id, 'uuid')}")
        terms.append(f"{j}.as_of > {j}.oldest_overdue_due + {p(rule.within_days, 'integer')}")
        terms.append(f"({c}.rule_{i} IS NULL OR {c}.rule_{i} < {j}.oldest_overdue_due + 1)")
        per_rule.append("(" + " AND ".join(terms) + ")")
    rules_sql = (
        f" OR (NOT {j}.barred AND {j}.oldest_overdue_due IS NOT NULL AND ({' OR '.join(per_rule)}))"
        if per_rule
        else ""
    )
    return f"(coalesce({j}.task_breached, false){rules_sql})"
