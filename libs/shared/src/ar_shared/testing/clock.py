"""The tests' clock: the wall clock moved by `AR_TEST_CLOCK_SHIFT_DAYS` (0 unless set).

Every app, worker and token a test builds reads this clock (the `clock` fixture), never the
wall clock, so the suite must pass whatever day it runs on; `make test` runs it a second time
with the clock a year ahead to prove it. A test that needs a particular moment (a weekday noon,
a night in Tokyo) pins a `ManualClock` derived from this one, never a literal date.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta

from ar_shared.clock import ManualClock

SHIFT_VARIABLE = "AR_TEST_CLOCK_SHIFT_DAYS"


def test_clock_shift() -> timedelta:
    raw = os.environ.get(SHIFT_VARIABLE, "0").strip() or "0"
    try:
        return timedelta(days=int(raw))
    except ValueError:
        raise RuntimeError(f"{SHIFT_VARIABLE} must be a whole number of days, not {raw!r}") from None


class TestClock:
    """The wall clock moved by the test shift: it ticks like the real one."""

    __test__ = False  # not a test class, whatever pytest's name pattern says

    def __init__(self, shift: timedelta | None = None) -> None:
        self.shift = test_clock_shift() if shift is None else shift

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift


TEST_CLOCK = TestClock()


def next_weekday_at(after: datetime, at: time) -> datetime:
    """The first weekday moment at `at` (UTC) after `after`: for rules with contact hours."""
    day = after.astimezone(UTC).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=UTC)


def pinned_clock(at: time = time(12)) -> ManualClock:
    """A clock standing at the next weekday `at` (UTC) after the test clock's now."""
    return ManualClock(next_weekday_at(TEST_CLOCK.now(), at))
