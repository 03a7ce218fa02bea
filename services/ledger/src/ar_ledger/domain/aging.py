"""Aging buckets: days past due and where an open item sits, with configurable edges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
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


def bucket_index(days: int, edges: Sequence[int] = DEFAULT_EDGES) -> int:
    if days <= 0:
        return 0
    for i, edge in enumerate(edges, start=1):
        if days <= edge:
            return i
    return len(edges) + 1


def bucket_for(days: int, edges: Sequence[int] = DEFAULT_EDGES) -> Bucket:
    return buckets(edges)[bucket_index(days, edges)]
