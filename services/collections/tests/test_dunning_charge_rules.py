"""The pure charge rules (domain/charges.py) on exact examples: late-payment interest per item in
minor units (rounded once, half to even), rate periods split by day, interest charged through a
date not charged again, the day-count bases, and the settings' range checks."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ar_collections.domain.charges import (
    InterestTerms,
    LateItem,
    RatePeriod,
    fee_for_level,
    item_interest,
    late_interest,
    rate_period_errors,
)

DUE = date(2026, 6, 20)
STATUTORY = RatePeriod(date(2026, 1, 1), Decimal("2.27"), Decimal(8))  # reference rate + 8 points
LOWER = RatePeriod(date(2026, 7, 1), Decimal("1.27"), Decimal(8))


def eur(*periods: RatePeriod, day_count: str = "act_365") -> InterestTerms:
    assert day_count in ("act_365", "act_360")
    return InterestTerms("EUR", "act_365" if day_count == "act_365" else "act_360", periods)


def item(open_minor: int, due: date = DUE, through: date | None = None, currency: str = "EUR") -> LateItem:
    return LateItem(uuid.uuid4(), currency, open_minor, due, through)


def test_interest_is_balance_times_annual_rate_times_days_late_over_365() -> None:
    # 1000.00 EUR, 10.27 % a year, 30 days late: 100000 x 10.27 x 30 / 36500 = 844.1095... -> 8.44 EUR
    computed = item_interest(item(100_000), eur(STATUTORY), DUE + timedelta(days=30))
    assert computed is not None
    assert (computed.interest_minor, computed.days_late, computed.interest_from) == (
        844,
        30,
        date(2026, 6, 21),
    )


def test_act_360_counts_a_year_as_360_days() -> None:
    # 1000.00 EUR at 8 % for 45 days: 100000 x 8 x 45 / 36000 = 1000 exactly -> 10.00 EUR
    eight = RatePeriod(date(2026, 1, 1), Decimal(0), Decimal(8))
    computed = item_interest(item(100_000), eur(eight, day_count="act_360"), DUE + timedelta(days=45))
    assert computed is not None
    assert computed.interest_minor == 1000


def test_half_a_minor_unit_rounds_to_the_even_neighbour() -> None:
    ten = eur(RatePeriod(date(2026, 1, 1), Decimal(0), Decimal(10)))
    one_day = DUE + timedelta(days=1)
    # one day at 10 %: x 10 / 36500 -> 0.5, 1.5 and 2.5 minor units
    assert [c.interest_minor for c in late_interest([item(1825), item(5475), item(9125)], ten, one_day)] == [
        2,
        2,
    ]
    assert [item_interest(item(m), ten, one_day).interest_minor for m in (1825, 5475, 9125)] == [0, 2, 2]  # type: ignore[union-attr]


def test_a_rate_change_applies_from_its_date_day_by_day() -> None:
    # 10 days at 10.27 % (June 21-30) and 10 days at 9.27 % (July 1-10):
    # 100000 x (102.7 + 92.7) / 36500 = 535.34... -> 5.35 EUR
    computed = item_interest(item(100_000), eur(LOWER, STATUTORY), date(2026, 7, 10))
    assert computed is not None
    assert (computed.interest_minor, computed.days_late) == (535, 20)


def test_interest_charged_through_a_date_is_not_charged_again() -> None:
    # June 21-30 charged already: only July 1-10 at 9.27 % -> 100000 x 92.7 / 36500 = 253.97 -> 2.54 EUR
    computed = item_interest(
        item(100_000, through=date(2026, 6, 30)), eur(STATUTORY, LOWER), date(2026, 7, 10)
    )
    assert computed is not None
    assert (computed.interest_minor, computed.interest_from, computed.days_late) == (
        254,
        date(2026, 7, 1),
        10,
    )
    assert item_interest(item(100_000, through=date(2026, 7, 10)), eur(STATUTORY), date(2026, 7, 10)) is None


def test_no_interest_before_the_item_is_late_nor_before_the_first_rate_period() -> None:
    assert item_interest(item(100_000), eur(STATUTORY), DUE) is None
    late_rate = eur(RatePeriod(date(2026, 7, 1), Decimal(0), Decimal("36.5")))
    # only July 1-10 bear a rate: 100000 x 36.5 x 10 / 36500 = 1000
    assert item_interest(item(100_000), late_rate, date(2026, 7, 10)).interest_minor == 1000  # type: ignore[union-attr]


def test_items_in_another_currency_or_nothing_open_bear_no_interest() -> None:
    as_of = DUE + timedelta(days=30)
    assert late_interest([item(100_000, currency="USD"), item(0)], eur(STATUTORY), as_of) == []


def test_minor_units_follow_the_currency() -> None:
    # 100000 JPY at 14.6 % for 10 days: 100000 x 14.6 x 10 / 36500 = 400 JPY exactly
    yen = InterestTerms("JPY", "act_365", [RatePeriod(date(2026, 1, 1), Decimal("6.6"), Decimal(8))])
    [computed] = late_interest([item(100_000, currency="JPY")], yen, DUE + timedelta(days=10))
    assert computed.interest_minor == 400


def test_the_fee_of_a_level_is_looked_up_per_currency() -> None:
    schedule = {(1, "EUR"): 500, (2, "EUR"): 1000, (1, "USD"): 700}
    assert [fee_for_level(schedule, 2, "EUR"), fee_for_level(schedule, 1, "USD")] == [1000, 700]
    assert fee_for_level(schedule, 2, "USD") is None


def test_rates_out_of_range_and_two_periods_from_one_date_are_refused() -> None:
    start = date(2026, 1, 1)
    errors = rate_period_errors(
        [
            RatePeriod(start, Decimal("45"), Decimal("5.0001")),  # 50.0001 % a year
            RatePeriod(date(2026, 7, 1), Decimal("-3"), Decimal("2")),  # below zero
            RatePeriod(date(2027, 1, 1), Decimal("-0.88"), Decimal("8")),  # 7.12 %: fine
            RatePeriod(date(2027, 1, 1), Decimal("1"), Decimal("-1")),  # a negative margin, same date
        ]
    )
    assert [(n, code) for n, code, _ in errors] == [
        (0, "rate_out_of_range"),
        (1, "rate_out_of_range"),
        (3, "rate_out_of_range"),
        (3, "duplicate_effective_from"),
    ]
    assert rate_period_errors([RatePeriod(start, Decimal(42), Decimal(8))]) == []


@given(
    open_minor=st.integers(1, 10**12),
    split=st.integers(1, 200),
    more=st.integers(1, 200),
    reference=st.decimals(min_value=-5, max_value=20, places=2),
)
def test_charging_in_two_goes_differs_from_one_go_by_rounding_only(
    open_minor: int, split: int, more: int, reference: Decimal
) -> None:
    terms = eur(RatePeriod(date(2026, 1, 1), reference, Decimal(8)), LOWER)
    middle, end = DUE + timedelta(days=split), DUE + timedelta(days=split + more)
    whole = item_interest(item(open_minor), terms, end)
    first = item_interest(item(open_minor), terms, middle)
    second = item_interest(item(open_minor, through=middle), terms, end)
    assert whole is not None
    assert first is not None
    assert second is not None
    assert whole.interest_minor >= 0
    assert abs(whole.interest_minor - first.interest_minor - second.interest_minor) <= 1
    assert first.days_late + second.days_late == whole.days_late
