"""Days past due and aging buckets of an open item, as of a business date (edges configurable)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise

DEFAULT_EDGES = (30, 60, 90, 120)  # current / 1-30 / 31-60 / 61-90 / 91-120 / 121+


def validate_edges(edges: Sequence[int]) -> tuple[int, ...]:
    cleaned = tuple(edges)
    if not cleaned or any(e < 1 for e in cleaned) or any(b <= a for a, b in pairwise(cleaned)):
        raise ValueError("bucket edges must be positive and strictly increasing, e.g. 30,60,90,120")
    return cleaned


def days_past_due(as_of: date, due_date: date) -> int:
    """Calendar days after the due date; zero or less is current (due today is current)."""
    return (as_of - due_date).days


def is_overdue(as_of: date, due_date: date) -> bool:
    # the SQL of the worklist and the account view says `due_date < as_of`: the same thing
    return days_past_due(as_of, due_date) > 0


def bucket_labels(edges: Sequence[int] = DEFAULT_EDGES) -> list[str]:
    labels = ["current"]
    low = 1
    for edge in edges:
        labels.append(f"{low}-{edge}")
        low = edge + 1
    labels.append(f"{low}+")
    return labels


def bucket(days: int, edges: Sequence[int] = DEFAULT_EDGES) -> str:
    """The bucket label of an item `days` past due."""
    labels = bucket_labels(edges)
    if days <= 0:
        return labels[0]
    for i, edge in enumerate(edges, start=1):
        if days <= edge:
            return labels[i]
    return labels[-1]


def bucket_index(days: int, edges: Sequence[int] = DEFAULT_EDGES) -> int:
    """The position of `bucket(days, edges)` among `bucket_labels(edges)`."""
    return sum(1 for edge in (0, *edges) if days > edge)


def bucket_sql(edges: Sequence[int], as_of: str, due_date: str) -> str:
    """`bucket_index` as a SQL expression (edges are validated integers, the other two SQL
    expressions of the caller's), so reports can sum buckets in the database."""
    cases = " ".join(
        f"WHEN {as_of} - {due_date} <= {int(edge)} THEN {n}" for n, edge in enumerate(edges, start=1)
    )
    return f"CASE WHEN {as_of} - {due_date} <= 0 THEN 0 {cases} ELSE {len(edges) + 1} END"
