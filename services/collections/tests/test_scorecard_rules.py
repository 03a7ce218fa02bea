"""Scorecard and red-flag rules (pure): months, trends, weighted days late, credit use, and when
figures raise a flag (each occurrence keyed so a rerun finds the same key)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_collections.domain.scorecards import (
    FLAG_KINDS,
    add_rising,
    broken_promise_flags,
    credit_use,
    credit_use_flag,
    kinds_to_judge,
    last_complete_month,
    month_of,
    months_back,
    parse_month,
    trend,
    weighted_days_late,
)


def test_months_back_cross_the_year_oldest_first() -> None:
    assert [m.label for m in months_back(parse_month("2026-02"), 4)] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert parse_month("2024-02").last == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-01", "2026-1", "3000-01", "2026-01-01"])
def test_a_month_not_written_yyyy_mm_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month written YYYY-MM"):
        parse_month(text)


def test_the_last_complete_month_is_the_current_one_only_on_its_last_day() -> None:
    assert last_complete_month(date(2026, 3, 31)).label == "2026-03"
    assert last_complete_month(date(2026, 3, 30)).label == "2026-02"
    assert month_of(date(2026, 12, 5)).last == date(2026, 12, 31)


def test_trend_is_up_down_flat_or_unknown() -> None:
    assert [trend(1, 2), trend(Decimal(2), Decimal(1)), trend(3, 3), trend(None, 1), trend(1, None)] == [
        "up", "down", "flat", None, None,
    ]  # fmt: skip


def test_days_late_are_weighted_by_amount_and_early_cash_counts_negative() -> None:
    # 600 at 33 days late, 1,000 two days early: (19,800 - 2,000) / 1,600 = 11.125
    assert weighted_days_late([(60000, 33), (100000, -2)]) == Decimal("11.13")
    assert weighted_days_late([]) is None


def test_credit_use_needs_a_positive_limit() -> None:
    assert credit_use(260000, 500000) == Decimal("52.00")
    assert credit_use(1, None) is None
    assert credit_use(1, 0) is None


def test_add_rising_three_months_running_is_one_flag_per_streak() -> None:
    months = months_back(parse_month("2026-03"), 5)
    values = [Decimal(40), Decimal(31), Decimal(62), Decimal(84), Decimal(124)]
    flag = add_rising(list(zip(months, values, strict=True)), runs=3)
    assert flag is not None
    # the streak rose from December: the key stays "from 2025-12" while it lasts
    assert (flag.kind, flag.occurrence, flag.seen_on) == ("add_rising", "from 2025-12", date(2026, 3, 31))
    assert flag.evidence == {
        "average_days_delinquent": {"2025-12": "31", "2026-01": "62", "2026-02": "84", "2026-03": "124"}
    }
    longer = add_rising(
        list(zip(months_back(parse_month("2026-04"), 6), [*values, Decimal(130)], strict=True))
    )
    assert longer is not None
    assert longer.occurrence == "from 2025-12"
    # two rises, a flat month or an unknown one are no streak of three
    assert add_rising(list(zip(months[2:], values[2:], strict=True))) is None
    assert add_rising(list(zip(months, [*values[:4], Decimal(84)], strict=True))) is None
    assert add_rising(list(zip(months, [*values[:2], None, *values[3:]], strict=True))) is None


def test_broken_promises_count_within_the_window_and_never_twice() -> None:
    broken = [
        ("a", date(2026, 1, 1)), ("b", date(2026, 2, 1)), ("c", date(2026, 3, 1)),  # 3 within 90 days
        ("d", date(2026, 3, 5)), ("e", date(2026, 3, 6)),  # only two more
        ("f", date(2026, 9, 1)),
    ]  # fmt: skip
    flags = broken_promise_flags(broken, count=3, window_days=90)
    assert [f.occurrence for f in flags] == ["c"]
    assert flags[0].evidence["broken"] == [
        {"promise_id": p, "judged_on": d}
        for p, d in (("a", "2026-01-01"), ("b", "2026-02-01"), ("c", "2026-03-01"))
    ]
    # a wider spread than the window raises nothing; the count 0 never
    assert (
        broken_promise_flags(
            [("a", date(2026, 1, 1)), ("b", date(2026, 5, 1)), ("c", date(2026, 9, 1))], 3, 90
        )
        == []
    )
    assert broken_promise_flags(broken, count=0, window_days=90) == []
    assert [f.occurrence for f in broken_promise_flags([*broken, ("g", date(2026, 3, 7))], 3, 90)] == [
        "c",
        "g",
    ]


def test_credit_use_above_the_threshold_is_one_flag_a_month() -> None:
    flag = credit_use_flag(date(2026, 3, 31), Decimal("100.00"), Decimal(90), {"credit_limit": "4000.00"})
    assert flag is not None
    assert (flag.occurrence, flag.evidence["credit_use_percent"]) == (
        "2026-03",
        "100.00",
    )
    assert credit_use_flag(date(2026, 3, 31), Decimal("90.00"), Decimal(90), {}) is None
    assert credit_use_flag(date(2026, 3, 31), None, Decimal(90), {}) is None


DAILY_KINDS = ("bounced_payment", "broken_promises", "credit_use")


@pytest.mark.parametrize(
    ("previous", "today", "kinds"),
    [
        (None, date(2026, 3, 14), FLAG_KINDS),  # never judged: everything
        (date(2026, 3, 13), date(2026, 3, 14), DAILY_KINDS),
        (date(2026, 3, 30), date(2026, 3, 31), FLAG_KINDS),  # March is complete on its last day
        (date(2026, 3, 31), date(2026, 4, 1), DAILY_KINDS),  # and stays the last complete month
        (date(2026, 4, 1), date(2026, 4, 29), DAILY_KINDS),
        (date(2026, 2, 26), date(2026, 4, 1), FLAG_KINDS),  # a jump over two month ends
        (date(2026, 2, 27), date(2026, 2, 28), FLAG_KINDS),
        (date(2025, 12, 30), date(2026, 1, 2), FLAG_KINDS),  # over the year end
        (date(2026, 3, 14), date(2026, 3, 14), DAILY_KINDS),
    ],
)
def test_add_is_judged_only_when_the_last_complete_month_moves(
    previous: date | None, today: date, kinds: tuple[str, ...]
) -> None:
    assert kinds_to_judge(previous, today) == kinds


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    steps=st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=30),
)
def test_every_last_complete_month_of_a_date_sequence_is_judged_on_the_first_date_that_has_it(
    start: date, steps: list[int]
) -> None:
    """Whatever the steps between business dates, ADD is judged on a date exactly when no earlier
    date of the sequence had the same last complete month, i.e. whenever its figures (twelve
    complete months up to that one) may differ from those judged last."""
    dates = [start]
    for step in steps:
        dates.append(dates[-1] + timedelta(days=step))
    judged, previous = set(), None
    for today in dates:
        add = "add_rising" in kinds_to_judge(previous, today)
        assert add == (last_complete_month(today) not in judged)
        assert set(DAILY_KINDS) <= set(kinds_to_judge(previous, today))
        judged.add(last_complete_month(today))
        previous = today
