"""The collectors' KPI rules (pure): promise kept rates, working days, averages and attainment,
each against figures worked out by hand (docs/kpis.md), and working days against a day-by-day count."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ar_collections.domain.kpis import (
    PromiseTally,
    attainment,
    average_days,
    counted_received,
    kept_rate_by_amount,
    kept_rate_by_count,
    per_working_day,
    tally,
    working_days,
)


def test_the_glossarys_promise_example_gives_70_and_78_percent() -> None:
    # 28 kept of 40 judged; 390,000 received of 500,000 promised
    example = PromiseTally(
        kept=28, partially_kept=5, broken=7, kept_minor=300_000, partially_kept_minor=100_000,
        broken_minor=100_000, received_minor=390_000,
    )  # fmt: skip
    assert (kept_rate_by_count(example), kept_rate_by_amount(example)) == (Decimal("70.00"), Decimal("78.00"))


def test_a_tally_counts_each_status_apart_and_caps_what_each_promise_received() -> None:
    counted = tally(
        [("kept", 300, 300), ("kept", 200, 250), ("partially_kept", 500, 100), ("broken", 400, 0)]
    )
    assert counted == PromiseTally(2, 1, 1, 500, 500, 400, 600)
    assert (counted.judged, counted.promised_minor) == (4, 1400)
    assert (kept_rate_by_count(counted), kept_rate_by_amount(counted)) == (Decimal("50.00"), Decimal("42.86"))


def test_no_judged_promise_has_no_rate() -> None:
    assert (kept_rate_by_count(PromiseTally()), kept_rate_by_amount(PromiseTally())) == (None, None)


@given(st.integers(1, 10**9), st.integers(-(10**9), 10**10))
def test_a_promise_counts_between_nothing_and_what_was_promised(promised: int, received: int) -> None:
    assert 0 <= counted_received(promised, received) <= promised


def test_working_days_are_monday_to_friday() -> None:
    assert working_days(date(2026, 3, 1), date(2026, 3, 31)) == 22  # Sunday 1st to Tuesday 31st
    assert working_days(date(2026, 3, 7), date(2026, 3, 8)) == 0  # a weekend
    assert working_days(date(2026, 3, 9), date(2026, 3, 9)) == 1
    assert working_days(date(2026, 3, 9), date(2026, 3, 8)) == 0


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(0, 800))
def test_working_days_match_a_day_by_day_count(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    by_hand = sum(1 for n in range(length + 1) if (start + timedelta(days=n)).weekday() < 5)
    assert working_days(start, end) == by_hand


def test_rates_and_averages_round_half_up_to_two_decimals() -> None:
    assert per_working_day(5, 22) == Decimal("0.23")
    assert per_working_day(1, 8) == Decimal("0.13")  # 0.125 up
    assert per_working_day(3, 0) is None
    assert average_days(43, 2) == Decimal("21.50")
    assert average_days(0, 0) is None
    assert attainment(40_000, 80_000) == Decimal("50.00")
    assert attainment(90_000, 80_000) == Decimal("112.50")  # beyond the target
    assert attainment(40_000, None) is None
    assert attainment(40_000, 0) is None
