"""KPI rules (pure): the glossary's worked quarter, two decimals, ADD from unrounded figures, and
count-back DSO walking back through the months before the period."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ar_shared.kpis import (
    KpiInputs,
    SalesSlice,
    compute,
    count_back_slices,
    dso_count_back,
    exact_dso,
)


def slices(stretches: list[tuple[date, date]], sales: list[int]) -> list[SalesSlice]:
    return [SalesSlice(first, last, s) for (first, last), s in zip(stretches, sales, strict=True)]


def two_decimals(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_the_glossary_quarter_to_two_decimals() -> None:
    """/work/shared/GLOSSARY.md: sales Jan 100,000, Feb 120,000, Mar 150,000; AR 1 Jan 180,000;
    AR 31 Mar 200,000 of which current 130,000 (the glossary rounds to one decimal: 48.6, 42.7,
    31.6, 17.0, 83.3)."""
    stretches = count_back_slices(date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31))
    assert stretches == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]
    kpis = compute(
        KpiInputs(
            period_days=90,
            credit_sales_minor=370_000,
            beginning_ar_minor=180_000,
            ending_ar_minor=200_000,
            ending_current_ar_minor=130_000,
            count_back_sales=slices(stretches, [100_000, 120_000, 150_000]),
        )
    )
    assert kpis.dso == Decimal("48.65")  # 200,000 / 370,000 x 90 = 48.648...
    assert kpis.dso_count_back == Decimal("42.67")  # 31 + 50,000 / 120,000 x 28 = 42.666...
    assert kpis.best_possible_dso == Decimal("31.62")  # 130,000 / 370,000 x 90 = 31.621...
    assert kpis.average_days_delinquent == Decimal("17.03")  # 48.648... - 31.621... = 17.027...
    assert kpis.cei_percent == Decimal("83.33")  # 350,000 / 420,000


def test_add_is_rounded_once_from_the_exact_figures_not_from_two_rounded_ones() -> None:
    # DSO 1.005 rounds to 1.01 and best possible 0.004 to 0.00: their difference would say 1.01
    kpis = compute(
        KpiInputs(
            period_days=1,
            credit_sales_minor=1000,
            beginning_ar_minor=0,
            ending_ar_minor=1005,
            ending_current_ar_minor=4,
            count_back_sales=[SalesSlice(date(2026, 1, 1), date(2026, 1, 1), 1000)],
        )
    )
    assert (kpis.dso, kpis.best_possible_dso) == (Decimal("1.01"), Decimal("0.00"))
    assert kpis.average_days_delinquent == Decimal("1.00")  # 1.005 - 0.004 = 1.001


@given(
    ending=st.integers(min_value=0, max_value=10**15),
    current_share=st.fractions(min_value=0, max_value=1),
    sales=st.integers(min_value=1, max_value=10**15),
    days=st.integers(min_value=1, max_value=3660),
)
def test_every_figure_is_the_exact_value_rounded_half_up_to_two_decimals(
    ending: int, current_share: Fraction, sales: int, days: int
) -> None:
    current = int(ending * current_share)
    kpis = compute(
        KpiInputs(
            period_days=days,
            credit_sales_minor=sales,
            beginning_ar_minor=0,
            ending_ar_minor=ending,
            ending_current_ar_minor=current,
            count_back_sales=[],
        )
    )
    assert kpis.dso == two_decimals(Fraction(ending, sales) * days)
    assert kpis.best_possible_dso == two_decimals(Fraction(current, sales) * days)
    assert kpis.average_days_delinquent == two_decimals(Fraction(ending - current, sales) * days)
    assert exact_dso(ending, sales, days) is not None


def test_count_back_walks_back_through_the_months_before_a_one_month_period() -> None:
    # March alone: sales 150,000, but AR is 200,000: the rest was sold in February (120,000)
    stretches = count_back_slices(date(2026, 2, 10), date(2026, 3, 1), date(2026, 3, 31))
    assert stretches == [(date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 3, 1), date(2026, 3, 31))]
    assert dso_count_back(200_000, slices(stretches, [120_000, 150_000])) == Decimal("42.67")
    # with the period's own month only, the AR cannot be placed
    assert dso_count_back(200_000, slices(stretches[1:], [150_000])) is None


def test_count_back_splits_the_first_month_of_a_period_starting_mid_month() -> None:
    stretches = count_back_slices(date(2025, 12, 20), date(2026, 1, 15), date(2026, 2, 10))
    assert stretches == [
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 14)),
        (date(2026, 1, 15), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 10)),
    ]
    # Feb 1-10 sold 100, Jan 15-31 200, Jan 1-14 300, Dec 400; AR 450: 10 + 17 + 150 / 300 x 14 = 34
    assert dso_count_back(450, slices(stretches, [400, 300, 200, 100])) == Decimal("34.00")


def test_count_back_counts_months_without_sales_and_is_zero_without_ar() -> None:
    stretches = count_back_slices(date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31))
    assert dso_count_back(50, slices(stretches, [100, 120, 0])) == Decimal("42.67")  # 31 + 50/120 x 28
    assert dso_count_back(0, slices(stretches, [100, 120, 0])) == Decimal("0.00")
    assert dso_count_back(220, slices(stretches, [100, 120, 0])) == Decimal("90.00")


@given(
    sales=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=24),
    share=st.fractions(min_value=0, max_value=1),
)
def test_count_back_places_any_ar_no_larger_than_the_sales_it_walks_over(
    sales: list[int], share: Fraction
) -> None:
    stretches = count_back_slices(date(2024, 1, 1), date(2024, 1, 1), date(2025, 12, 31))[-len(sales) :]
    ending = int(sum(sales) * share)
    days = dso_count_back(ending, slices(stretches, sales))
    assert days is not None
    assert Decimal(0) <= days <= sum((last - first).days + 1 for first, last in stretches)
