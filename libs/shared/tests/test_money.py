"""Money: minor units per ISO 4217 exponent, explicit rounding, exact parsing, no mixed currencies."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ar_shared.money import (
    CurrencyMismatch,
    InvalidAmount,
    Money,
    MoneyAmount,
    UnknownCurrency,
    currency_exponent,
)


@pytest.mark.parametrize(
    ("currency", "exponent"), [("JPY", 0), ("EUR", 2), ("USD", 2), ("KWD", 3), ("BHD", 3), ("CLF", 4)]
)
def test_each_currency_has_its_iso_exponent(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        Money.of("1", "XYZ")


@pytest.mark.parametrize(
    ("amount", "currency", "minor", "text"),
    [
        ("1234.56", "EUR", 123456, "1234.56"),
        ("100", "JPY", 100, "100"),
        ("1.234", "KWD", 1234, "1.234"),
        ("0.5", "USD", 50, "0.50"),
    ],
)
def test_amounts_are_kept_in_minor_units_and_printed_with_the_currency_places(
    amount: str, currency: str, minor: int, text: str
) -> None:
    money = Money.parse_exact(amount, currency)
    assert money.minor == minor
    assert str(money) == text
    assert money.to_decimal() == Decimal(text)


def test_rounding_is_explicit_half_even_by_default() -> None:
    assert Money.of("0.125", "EUR").minor == 12
    assert Money.of("0.135", "EUR").minor == 14
    assert Money.of("0.125", "EUR", rounding=ROUND_HALF_UP).minor == 13
    assert Money.of("2.5", "JPY").minor == 2
    assert Money.of("1.0005", "KWD", rounding=ROUND_HALF_UP).minor == 1001


def test_exact_parsing_refuses_more_places_than_the_currency_has() -> None:
    with pytest.raises(InvalidAmount, match="at most 0 decimal"):
        Money.parse_exact("1.5", "JPY")
    with pytest.raises(InvalidAmount):
        Money.parse_exact("1.001", "EUR")
    with pytest.raises(InvalidAmount):
        Money.parse_exact("abc", "EUR")
    with pytest.raises(InvalidAmount):
        Money.parse_exact("NaN", "EUR")


def test_floats_never_become_money() -> None:
    with pytest.raises(TypeError):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of("1", "EUR").times(1.5)  # type: ignore[arg-type]


def test_mixed_currencies_are_refused_everywhere() -> None:
    eur, usd = Money.of("1", "EUR"), Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch, match="EUR with USD"):
        _ = eur + usd
    with pytest.raises(CurrencyMismatch):
        _ = eur - usd
    with pytest.raises(CurrencyMismatch):
        _ = eur < usd
    with pytest.raises(CurrencyMismatch):
        Money.sum([eur, usd], "EUR")


def test_arithmetic_in_one_currency() -> None:
    a, b = Money.parse_exact("10.10", "EUR"), Money.parse_exact("0.20", "EUR")
    assert str(a + b) == "10.30"
    assert str(a - b) == "9.90"
    assert str(-a) == "-10.10"
    assert str(abs(-a)) == "10.10"
    assert b < a
    assert Money.sum([a, b, b], "EUR") == Money.parse_exact("10.50", "EUR")
    assert str(a.times(Decimal("0.19"))) == "1.92"  # 191.9 cents, half-even
    assert Money.zero("EUR").is_zero


@given(
    minor=st.integers(min_value=-(10**12), max_value=10**12),
    ratios=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
        lambda r: sum(r) > 0
    ),
)
def test_allocation_parts_always_add_up_to_the_whole(minor: int, ratios: list[int]) -> None:
    parts = Money(minor, "EUR").allocate(ratios)
    assert sum(p.minor for p in parts) == minor
    assert all(abs(p.minor - minor * r / sum(ratios)) < 1 for p, r in zip(parts, ratios, strict=True))


def test_json_money_is_a_decimal_string() -> None:
    amount = MoneyAmount.model_validate({"amount": "1234.56", "currency": "EUR"})
    assert amount.to_money() == Money(123456, "EUR")
    assert MoneyAmount.from_money(Money(100, "JPY")).model_dump() == {"amount": "100", "currency": "JPY"}
    assert MoneyAmount.model_validate({"amount": 12, "currency": "USD"}).amount == "12"


@pytest.mark.parametrize(
    "payload",
    [
        {"amount": 12.5, "currency": "EUR"},
        {"amount": "12.345", "currency": "EUR"},
        {"amount": "12", "currency": "EURO"},
        {"amount": "1e3", "currency": "EUR"},
        {"amount": "12.50", "currency": "XYZ"},
    ],
)
def test_json_money_rejects_floats_extra_places_and_unknown_currencies(payload: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        MoneyAmount.model_validate(payload)
