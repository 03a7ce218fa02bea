"""How long a failed piece of work waits before its next attempt: one rule for every retry loop."""

from __future__ import annotations

from datetime import timedelta

LONGEST = timedelta(days=3650)
"""No wait is longer: `now + wait` stays a date (a retry ten years out is no retry at all)."""


def backoff(first_seconds: float, attempts: int, ceiling_seconds: float | None = None) -> timedelta:
    """`first_seconds` after the first failure, doubling with each one after it, never more than
    `ceiling_seconds` (when given) nor than `LONGEST`, for any number of attempts."""
    if attempts < 1:
        return timedelta(0)
    doublings = min(attempts - 1, 64)  # past 2**64 times any first delay, only the ceilings matter
    seconds = min(first_seconds * 2**doublings, LONGEST.total_seconds())
    if ceiling_seconds is not None:
        seconds = min(seconds, ceiling_seconds)
    return timedelta(seconds=seconds)
