"""The one retry rule: a first wait, doubled after each failure, under a ceiling."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from ar_shared.backoff import LONGEST, backoff


def test_the_wait_doubles_after_each_failure_up_to_the_ceiling() -> None:
    waits = [backoff(60, attempts, 3600) for attempts in range(1, 9)]
    assert waits == [timedelta(seconds=s) for s in (60, 120, 240, 480, 960, 1920, 3600, 3600)]
    assert backoff(30, 4) == timedelta(seconds=240)  # no ceiling
    assert backoff(30, 0) == timedelta(0)  # nothing failed yet


@given(st.integers(min_value=1, max_value=10**9), st.floats(min_value=0.001, max_value=86_400))
def test_any_number_of_failures_gives_a_wait_never_above_the_ceiling(attempts: int, first: float) -> None:
    wait = backoff(first, attempts, 3600)
    assert timedelta(0) < wait <= timedelta(seconds=3600)
    assert wait <= backoff(first, attempts) <= LONGEST  # without a ceiling: never an overflow
