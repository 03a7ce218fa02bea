"""Aging buckets: days past due and where an open item sits, with configurable edges.

The one home of both rules, for Python and for SQL: `days_past_due` / `days_past_due_sql` /
`overdue_sql`, and `buckets` (the edges) from which both `bucket_index` and `bucket_case_sql` read
their upper days. tests/test_aging_rules_in_sql.py checks on PostgreSQL that the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise

DEFAULT_EDGES = (30, 60, 90, 120)  # current / 1-30 / 31-60 / 61-90 / 91-120 / 121+


@dataclass(frozen=True)
class Bucket:
    index: int
    label: str
    low: int | None  # days past due, inclusive; None for "current"
    high: int | None  # inclusive; None for the open-ended last bucket


def validate_edges(edges: Sequence[int]) -> tuple[int, ...]:
    cleaned = tuple(edges)
    if not cleaned:
        raise ValueError("give at least one bucket edge")
    if any(e < 1 for e in cleaned) or any(b <= a for a, b in pairwise(cleaned)):
        raise ValueError("bucket edges must be positive and strictly increasing, e.g. 30,60,90,120")
    return cleaned


def buckets(edges: Sequence[int] = DEFAULT_EDGES) -> list[Bucket]:
    """current, then 1-e1, (e1+1)-e2, …, then (last+1)+."""
    edges = validate_edges(edges)
    result = [Bucket(0, "current", None, 0)]
    low = 1
    for i, edge in enumerate(edges, start=1):
        result.append(Bucket(i, f"{low}-{edge}", low, edge))
        low = edge + 1
    result.append(Bucket(len(edges) + 1, f"{low}+", low, None))
    return result


def days_past_due(as_of: date, due_date: date) -> int:
    """Calendar days after the due date; zero or less is current (due today is current)."""
    return (as_of - due_date).days


def is_overdue(as_of: date, due_date: date) -> bool:
    return days_past_due(as_of, due_date) > 0


def days_past_due_sql(as_of: str, due_date: str) -> str:
    """`days_past_due` as a SQL integer expression over two date expressions (column names or
    bind parameters, never user text): PostgreSQL's date minus date is the calendar days between."""
    return f"({as_of} - {due_date})"


def overdue_sql(as_of: str, due_date: str) -> str:
    """SQL predicate `days_past_due > 0` written on the due date alone, so an index on it is used."""
    return f"{due_date} < {as_of}"


def current_sql(as_of: str, due_date: str) -> str:
    """SQL predicate `days_past_due <= 0` (not past due), the complement of `overdue_sql`."""
    return f"{due_date} >= {as_of}"


@lru_cache(maxsize=64)
def _uppers(edges: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """(bucket index, inclusive upper day) of every bucket but the open-ended last, from `buckets`."""
    return tuple((b.index, b.high) for b in buckets(edges) if b.high is not None)


def bucket_index(days: int, edges: Sequence[int] = DEFAULT_EDGES) -> int:
    for index, high in _uppers(tuple(edges)):
        if days <= high:
            return index
    return len(edges) + 1


def bucket_case_sql(days_expr: str, edges: Sequence[int] = DEFAULT_EDGES) -> str:
    """`bucket_index` as a SQL CASE over an integer expression (the same uppers, in order)."""
    whens = " ".join(f"WHEN {days_expr} <= {int(high)} THEN {index}" for index, high in _uppers(tuple(edges)))
    return f"CASE {whens} ELSE {len(edges) + 1} END"


def bucket_for(days: int, edges: Sequence[int] = DEFAULT_EDGES) -> Bucket:
    return buckets(edges)[bucket_index(days, edges)]
