"""Money: minor units per ISO 4217 exponent, explicit rounding, exact parsing, no mixed currencies."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ar_shared.money import (
    MAX_AMOUNT_MINOR,
    MAX_MINOR,
    CurrencyMismatch,
    InvalidAmount,
    Money,
    MoneyAmount,
    MoneyTotal,
    PositiveMoneyAmount,
    UnknownCurrency,
    currency_exponent,
)


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("JPY", 0), ("KRW", 0), ("EUR", 2), ("USD", 2), ("KWD", 3), ("BHD", 3), ("CLF", 4), ("UYW", 4)],
)
def test_each_currency_has_its_iso_exponent(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize("code", ["XYZ", "eur", "EURO", "", "XAU"])
def test_unknown_currency_is_refused(code: str) -> None:
    with pytest.raises(UnknownCurrency):
        Money.of("1", code)
    with pytest.raises(UnknownCurrency):
        Money(100, code)


def test_lower_case_code_is_refused_with_a_hint() -> None:
    with pytest.raises(UnknownCurrency, match="did you mean 'EUR'"):
        currency_exponent("eur")


@pytest.mark.parametrize(
    ("amount", "currency", "minor", "text"),
    [
        ("1234.56", "EUR", 123456, "1234.56"),
        ("0.5", "USD", 50, "0.50"),
        ("100", "JPY", 100, "100"),
        ("1.234", "KWD", 1234, "1.234"),
        ("0.1", "BHD", 100, "0.100"),
        ("-7.25", "EUR", -725, "-7.25"),
        ("1.2000", "EUR", 120, "1.20"),
        (12, "EUR", 1200, "12.00"),
        (Decimal("1E+3"), "JPY", 1000, "1000"),
    ],
)
def test_amounts_are_kept_in_minor_units_and_printed_with_the_currency_places(
    amount: str | int | Decimal, currency: str, minor: int, text: str
) -> None:
    money = Money.parse_exact(amount, currency)
    assert money.minor == minor
    assert str(money) == text
    assert money.to_decimal() == Decimal(text)
    assert str(money.to_decimal()) == text  # the Decimal carries exactly the currency's places
    assert Money.of(amount, currency) == money


def test_rounding_is_half_even_by_default_and_half_up_on_request() -> None:
    assert Money.of("0.125", "EUR").minor == 12
    assert Money.of("0.135", "EUR").minor == 14
    assert Money.of("0.125", "EUR", rounding=ROUND_HALF_UP).minor == 13
    assert Money.of("-0.125", "EUR", rounding=ROUND_HALF_UP).minor == -13
    assert Money.of("2.5", "JPY").minor == 2
    assert Money.of("3.5", "JPY").minor == 4
    assert Money.of("1.0005", "KWD").minor == 1000
    assert Money.of("1.0005", "KWD", rounding=ROUND_HALF_UP).minor == 1001


def test_rounding_looks_at_every_digit_of_a_long_amount() -> None:
    # more digits than Decimal's default 28 of precision: a first rounding would lose the final 1
    just_over_half_a_cent = "0.125" + "0" * 40 + "1"
    assert Money.of(just_over_half_a_cent, "EUR").minor == 13
    assert Money.of(Decimal(just_over_half_a_cent), "EUR").minor == 13


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("1.5", "JPY"), ("1.001", "EUR"), ("1.0001", "KWD"), ("0.00001", "CLF")],
)
def test_exact_parsing_refuses_more_places_than_the_currency_has(amount: str, currency: str) -> None:
    with pytest.raises(InvalidAmount, match=f"at most {currency_exponent(currency)} decimal places"):
        Money.parse_exact(amount, currency)


@pytest.mark.parametrize(
    "amount", ["abc", "", " 1", "1e3", "1_000", "1,50", "+1", ".5", "5.", "١٢", "NaN", "Infinity", "0x10"]
)
def test_exact_parsing_refuses_anything_but_plain_decimals(amount: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.parse_exact(amount, "EUR")
    with pytest.raises(InvalidAmount):
        Money.of(amount, "EUR")


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("-Infinity"), Decimal("sNaN")])
def test_non_finite_decimals_are_refused(amount: Decimal) -> None:
    with pytest.raises(InvalidAmount):
        Money.parse_exact(amount, "EUR")
    with pytest.raises(InvalidAmount):
        Money.of(amount, "EUR")


@pytest.mark.parametrize(
    ("largest", "currency"),
    [
        ("999999999999999", "JPY"),
        ("9999999999999.99", "EUR"),
        ("999999999999.999", "KWD"),
        ("99999999999.9999", "CLF"),
    ],
)
def test_one_amount_from_outside_has_at_most_15_digits_of_minor_units(largest: str, currency: str) -> None:
    assert Money.parse_exact(largest, currency).minor == MAX_AMOUNT_MINOR
    assert Money.parse_exact("-" + largest, currency).minor == -MAX_AMOUNT_MINOR
    assert Money.parse_exact("000" + largest, currency).minor == MAX_AMOUNT_MINOR
    one_more = Money(MAX_AMOUNT_MINOR + 1, currency)
    for too_large in [str(one_more), str(-one_more), "1" + "0" * 40, "-" + "9" * 30]:
        with pytest.raises(InvalidAmount, match=f"limited to ±{largest} {currency}"):
            Money.parse_exact(too_large, currency)


def test_totals_may_pass_the_limit_of_one_amount_but_stored_amounts_not_bigint() -> None:
    assert Money.parse_exact("92233720368547758.08", "EUR", largest=None).minor == MAX_MINOR + 1
    assert Money.of("92233720368547758.07", "EUR").minor == MAX_MINOR
    with pytest.raises(InvalidAmount, match="limited to"):
        Money.of("92233720368547758.08", "EUR")
    with pytest.raises(InvalidAmount):
        Money.of(Decimal("1E+999999"), "EUR")
    with pytest.raises(InvalidAmount, match="too large"):
        Money.parse_exact("1" + "0" * 70, "EUR", largest=None)


def test_floats_never_become_money() -> None:
    with pytest.raises(TypeError):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.parse_exact(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(True, "EUR")
    with pytest.raises(TypeError):
        Money.of("1", "EUR").times(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(1.0, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "combine",
    [operator.add, operator.sub, operator.lt, operator.le, operator.gt, operator.ge],
    ids=["add", "sub", "lt", "le", "gt", "ge"],
)
def test_mixed_currencies_are_refused_naming_both(combine: Callable[[Money, Money], Any]) -> None:
    with pytest.raises(CurrencyMismatch, match="EUR with USD"):
        combine(Money.of("1", "EUR"), Money.of("1", "USD"))


def test_a_sum_refuses_an_item_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatch, match="EUR with USD"):
        Money.sum([Money.of("1", "EUR"), Money.of("1", "USD")], "EUR")
    with pytest.raises(CurrencyMismatch):
        Money.sum([Money.of("1", "USD")], "EUR")


def test_equal_minor_units_in_different_currencies_are_not_equal() -> None:
    assert Money(100, "EUR") != Money(100, "USD")
    assert len({Money(100, "EUR"), Money(100, "USD"), Money(100, "EUR")}) == 2


def test_arithmetic_in_one_currency() -> None:
    a, b = Money.parse_exact("10.10", "EUR"), Money.parse_exact("0.20", "EUR")
    assert str(a + b) == "10.30"
    assert str(a - b) == "9.90"
    assert str(b - a) == "-9.90"
    assert str(-a) == "-10.10"
    assert str(abs(-a)) == "10.10"
    assert b < a
    assert b <= b
    assert a > b
    assert a >= a
    assert Money.sum([a, b, b], "EUR") == Money.parse_exact("10.50", "EUR")
    assert Money.sum([], "JPY") == Money.zero("JPY")
    assert Money.zero("EUR").is_zero
    assert a.is_positive
    assert not a.is_negative
    assert (-a).is_negative


def test_multiplying_rounds_once_with_the_chosen_mode() -> None:
    assert str(Money.parse_exact("10.10", "EUR").times(Decimal("0.19"))) == "1.92"  # 191.9 cents
    assert str(Money(5, "EUR").times(Decimal("0.5"))) == "0.02"  # 2.5 cents, half-even
    assert str(Money(5, "EUR").times(Decimal("0.5"), rounding=ROUND_HALF_UP)) == "0.03"
    assert Money(7, "JPY").times(3) == Money(21, "JPY")
    huge = Money(10**30 + 1, "EUR").times(Decimal("1.5"))  # past Decimal's default precision
    assert huge.minor == 15 * 10**29 + 2
    with pytest.raises(InvalidAmount):
        Money(1, "EUR").times(Decimal("NaN"))


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    ratios=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
        lambda r: sum(r) > 0
    ),
)
def test_allocation_parts_always_add_up_to_the_whole(minor: int, ratios: list[int]) -> None:
    parts = Money(minor, "EUR").allocate(ratios)
    assert sum(p.minor for p in parts) == minor
    assert {p.currency for p in parts} == {"EUR"}
    # each part is within one minor unit of its exact proportional share
    assert all(
        abs(p.minor - Fraction(minor * r, sum(ratios))) < 1 for p, r in zip(parts, ratios, strict=True)
    )


def test_allocation_gives_leftover_cents_to_the_largest_remainders() -> None:
    assert [str(p) for p in Money.parse_exact("100.00", "EUR").allocate([1, 1, 1])] == [
        "33.34",
        "33.33",
        "33.33",
    ]
    assert [p.minor for p in Money(-5, "EUR").allocate([1, 1])] == [-3, -2]
    assert [p.minor for p in Money(10, "JPY").allocate([0, 3, 7])] == [0, 3, 7]
    with pytest.raises(ValueError, match="positive total"):
        Money(10, "EUR").allocate([0, 0])


def test_json_money_is_a_decimal_string_that_round_trips() -> None:
    amount = MoneyAmount.model_validate_json('{"amount": "1234.56", "currency": "EUR"}')
    assert amount.to_money() == Money(123456, "EUR")
    assert MoneyAmount.model_validate_json(amount.model_dump_json()) == amount
    assert MoneyAmount.from_money(Money(100, "JPY")).model_dump() == {"amount": "100", "currency": "JPY"}
    assert MoneyAmount.from_money(Money(1234, "KWD")).model_dump_json() == (
        '{"amount":"1.234","currency":"KWD"}'
    )
    # the documented type is a string: even a whole JSON number is refused, not read
    with pytest.raises(ValidationError, match="decimal strings"):
        MoneyAmount.model_validate_json('{"amount": 12, "currency": "USD"}')


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('{"amount": 12.5, "currency": "EUR"}', "decimal strings"),
        ('{"amount": 1e3, "currency": "EUR"}', "decimal strings"),
        ('{"amount": "12.345", "currency": "EUR"}', "at most 2 decimal places"),
        ('{"amount": "1.5", "currency": "JPY"}', "at most 0 decimal places"),
        ('{"amount": "1e3", "currency": "EUR"}', "pattern"),
        ('{"amount": "12", "currency": "EURO"}', "not an ISO 4217"),
        ('{"amount": "12", "currency": "eur"}', "did you mean 'EUR'"),
        ('{"amount": "12.50", "currency": "XYZ"}', "not an ISO 4217"),
        ('{"amount": "100000000000000000000", "currency": "EUR"}', "limited to"),
        ('{"amount": "10000000000000.00", "currency": "EUR"}', "limited to ±9999999999999.99 EUR"),
        ('{"amount": true, "currency": "EUR"}', "decimal strings"),
        ('{"amount": 12, "currency": "EUR"}', "decimal strings"),
        ('{"amount": "12", "currency": "EUR", "rate": "1.1"}', "Extra inputs"),
        ('{"currency": "EUR"}', "Field required"),
    ],
)
def test_json_money_rejects_floats_extra_places_and_unknown_currencies(payload: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        MoneyAmount.model_validate_json(payload)


def test_json_schema_documents_a_string_amount_with_examples() -> None:
    schema = MoneyAmount.model_json_schema()
    assert schema["properties"]["amount"]["type"] == "string"
    assert "1234.56" in schema["properties"]["amount"]["examples"]
    assert "EUR" in schema["properties"]["currency"]["examples"]
    assert schema["examples"] == [{"amount": "1234.56", "currency": "EUR"}]
    assert "at most 15 digits of minor units" in schema["properties"]["amount"]["description"]


def test_a_total_in_json_is_not_held_to_the_limit_of_one_amount() -> None:
    payload = '{"amount": "92233720368547758.08", "currency": "EUR"}'
    assert MoneyTotal.model_validate_json(payload).to_money().minor == MAX_MINOR + 1
    with pytest.raises(ValidationError, match="limited to"):
        MoneyAmount.model_validate_json(payload)
    total = MoneyTotal.from_money(Money(MAX_MINOR, "EUR"))
    assert isinstance(total, MoneyTotal)
    assert MoneyTotal.model_validate_json(total.model_dump_json()) == total


@given(st.integers(min_value=-MAX_MINOR, max_value=MAX_MINOR), st.sampled_from(["JPY", "EUR", "KWD", "CLF"]))
def test_amounts_print_exactly_as_their_decimal_value(minor: int, currency: str) -> None:
    money = Money(minor, currency)
    assert str(money) == format(money.to_decimal(), "f")
    assert Money.parse_exact(str(money), currency, largest=None) == money


@pytest.mark.parametrize("amount", ["0", "0.00", "-0.01", "-5"])
def test_a_positive_amount_refuses_zero_and_less_with_its_own_code(amount: str) -> None:
    with pytest.raises(ValidationError) as refused:
        PositiveMoneyAmount(amount=amount, currency="EUR")
    [error] = refused.value.errors()
    assert (error["type"], error["loc"]) == ("amount_not_positive", ())


def test_a_positive_amount_takes_an_amount_a_python_caller_holds() -> None:
    held = MoneyAmount(amount="12.50", currency="EUR")
    assert PositiveMoneyAmount.model_validate(held).to_money() == Money(1250, "EUR")
    with pytest.raises(ValidationError):
        PositiveMoneyAmount.model_validate(MoneyAmount(amount="0.00", currency="EUR"))
