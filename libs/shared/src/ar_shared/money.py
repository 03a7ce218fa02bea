"""Money as integer minor units plus an ISO 4217 code; decimal strings at the edges, never floats."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, ClassVar, Self, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ar_shared.inputs import Identifier

# ISO 4217 (list one) minor units of the active currencies, by exponent. Funds and metals without
# a minor unit (XAU, XDR, XSU, ...) are left out: they are never invoiced.
_ISO_4217 = {
    0: """
    BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF
    """,
    2: """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN
    BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP
    LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR
    NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR
    ZMW ZWG
    """,
    3: """
    BHD IQD JOD KWD LYD OMR TND
    """,
    4: """
    CLF UYW
    """,
}
_EXPONENTS = {code: exponent for exponent, codes in _ISO_4217.items() for code in codes.split()}

MAX_MINOR = 2**63 - 1
"""Largest magnitude of minor units PostgreSQL's BIGINT holds: stored amounts and running balances."""

MAX_AMOUNT_MINOR = 10**15 - 1
"""Largest magnitude of one amount from outside (a document, an allocation, an order, a limit):
15 digits of minor units, 9,999,999,999,999.99 EUR. Far above any real invoice, and small enough
that sums cannot overflow: a customer's BIGINT balance holds 9,223 such amounts, and reports add
up in NUMERIC. A JavaScript number and a spreadsheet cell (15 significant digits) hold it exactly."""

AMOUNT_LIMIT_TEXT = (
    "at most 15 digits of minor units: ±999999999999999 JPY, ±9999999999999.99 EUR, ±999999999999.999 KWD"
)

# plain decimal notation only: no exponents, underscores, spaces or non-ASCII digits, which
# Decimal() would all accept but no client means as an amount
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_UNIT = Decimal(1)
# rounding happens once, from the exact value, so the context only needs room for the integer
# part; amounts past this many digits are refused before any arithmetic is attempted
_MAX_DIGITS = 60


class UnknownCurrency(ValueError):
    """The code is not an active ISO 4217 currency with a minor unit."""


class InvalidAmount(ValueError):
    """The amount is not a plain finite decimal that fits the currency (and the storage)."""


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined or compared."""


def currency_exponent(code: str) -> int:
    """Number of decimal places of the currency's minor unit (JPY 0, EUR 2, KWD 3)."""
    try:
        return _EXPONENTS[code]
    except KeyError:
        hint = (
            f" (did you mean {code.upper()!r}?)"
            if isinstance(code, str) and code.upper() in _EXPONENTS
            else ""
        )
        raise UnknownCurrency(f"{code!r} is not an ISO 4217 currency code{hint}") from None


def _to_decimal(amount: object) -> Decimal:
    # bool is an int subclass; True as "1.00" would be a silent bug, so it is refused like float
    if isinstance(amount, float | bool):
        raise TypeError("money never comes from float or bool: pass a decimal string, Decimal or int")
    if isinstance(amount, str):
        if not _PLAIN_DECIMAL.fullmatch(amount):
            raise InvalidAmount(f"{amount!r} is not a plain decimal amount such as '1234.56'")
        return Decimal(amount)
    if isinstance(amount, int):
        return Decimal(amount)
    if not isinstance(amount, Decimal):
        raise TypeError(f"money comes from a decimal string, Decimal or int, not {type(amount).__name__}")
    if not amount.is_finite():
        raise InvalidAmount(f"{amount!r} is not a finite amount")
    return amount


def _shifted(value: Decimal, places: int) -> Decimal:
    # value * 10**places built from its digits: exact, where scaleb() would round to the context
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the callers
    return Decimal((sign, digits, exponent + places))


def format_minor(minor: int, exponent: int) -> str:
    """The decimal string of an amount in minor units ("-1234.50"), with integer arithmetic only:
    reports print hundreds of thousands of amounts, and Decimal formatting is ten times slower."""
    if exponent == 0:
        return str(minor)
    units, cents = divmod(abs(minor), 10**exponent)
    return f"{'-' if minor < 0 else ''}{units}.{cents:0{exponent}d}"


def _round_to_int(value: Decimal, rounding: str) -> int:
    if not value.is_zero() and value.adjusted() >= _MAX_DIGITS:
        raise InvalidAmount(f"{value} is too large to be an amount of money")
    context = Context(prec=_MAX_DIGITS + 2, rounding=rounding, traps=[InvalidOperation])
    return int(value.quantize(_UNIT, context=context))


def _within(minor: int, currency: str, largest: int | None) -> int:
    if largest is not None and abs(minor) > largest:
        raise InvalidAmount(f"amounts are limited to ±{Money(largest, currency)} {currency}")
    return minor


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer minor units of one currency (123456 EUR is 1234.56 EUR).

    `==` is plain value equality (1 EUR != 1 USD) so Money can live in sets and dicts;
    ordering and arithmetic across currencies raise `CurrencyMismatch`.
    """

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")
        currency_exponent(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Self:
        return cls(0, currency)

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str, rounding: str = ROUND_HALF_EVEN) -> Self:
        """Rounds `amount` to the currency's minor unit with `rounding` (banker's by default);
        refuses what BIGINT cannot store."""
        exponent = currency_exponent(currency)
        minor = _round_to_int(_shifted(_to_decimal(amount), exponent), rounding)
        return cls(_within(minor, currency, MAX_MINOR), currency)

    @classmethod
    def parse_exact(
        cls, amount: Decimal | str | int, currency: str, *, largest: int | None = MAX_AMOUNT_MINOR
    ) -> Self:
        """Refuses amounts with more decimals than the currency has: input is never silently rounded.

        Refuses amounts past `largest` minor units too: by default the limit of one amount from
        outside (`MAX_AMOUNT_MINOR`); None for totals, which have no limit of their own.
        """
        exponent = currency_exponent(currency)
        value = _to_decimal(amount)
        if value.is_zero():
            return cls(0, currency)
        # "1.50" is exact for EUR and "1.500" too; only non-zero digits past the exponent are refused
        sign, digits, places = value.as_tuple()
        assert isinstance(places, int)
        significant = list(digits)
        while significant[-1] == 0 and places + exponent < 0:
            significant.pop()
            places += 1
        if places + exponent < 0:
            raise InvalidAmount(f"{currency} amounts have at most {exponent} decimal places, got {amount}")
        # more digits than the limit has are past it: refuse before building a huge int
        length = len(significant) + places + exponent
        if length > (_MAX_DIGITS if largest is None else len(str(largest))):
            raise InvalidAmount(
                f"{amount} is too large to be an amount of money"
                if largest is None
                else f"amounts are limited to ±{Money(largest, currency)} {currency}"
            )
        minor = int("".join(map(str, significant))) * 10 ** (places + exponent)
        return cls(_within(-minor if sign else minor, currency, largest), currency)

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def to_decimal(self) -> Decimal:
        """The exact amount with exactly the currency's number of places (Decimal('1.50'))."""
        return _shifted(Decimal(self.minor), -self.exponent)

    def __str__(self) -> str:
        return format_minor(self.minor, self.exponent)

    def __repr__(self) -> str:
        return f"Money('{self}', '{self.currency}')"

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.minor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    @property
    def is_zero(self) -> bool:
        return self.minor == 0

    @property
    def is_positive(self) -> bool:
        return self.minor > 0

    @property
    def is_negative(self) -> bool:
        return self.minor < 0

    @classmethod
    def sum(cls, items: Iterable[Money], currency: str) -> Money:
        """Total of `items`; the currency is explicit so an empty list still has one."""
        total = Money.zero(currency)
        for item in items:
            total = total + item
        return total

    def times(self, factor: Decimal | int, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Multiplies (by a rate, a quantity, a percentage) and rounds once to the minor unit."""
        if isinstance(factor, float | bool):
            raise TypeError("multiply money by a Decimal or int, never a float")
        factor = _to_decimal(factor)
        minor = Decimal(self.minor)
        # a precision as long as both operands makes the product exact before the single rounding
        digits = len(minor.as_tuple().digits) + len(factor.as_tuple().digits)
        product = Context(prec=digits, traps=[InvalidOperation]).multiply(minor, factor)
        return Money(_round_to_int(product, rounding), self.currency)

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Splits into parts proportional to `ratios` that add up exactly (largest remainder)."""
        if any(not isinstance(r, int) or isinstance(r, bool) for r in ratios):
            raise TypeError("allocation ratios are ints")
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise ValueError("ratios must be non-negative with a positive total")
        total = sum(ratios)
        sign = -1 if self.minor < 0 else 1
        whole = abs(self.minor)
        shares = [whole * r // total for r in ratios]
        # the leftover minor units go to the largest remainders, ties to the earlier part, so the
        # split is deterministic and no part is off by more than one minor unit
        by_remainder = sorted(range(len(ratios)), key=lambda i: (-(whole * ratios[i] % total), i))
        for i in by_remainder[: whole - sum(shares)]:
            shares[i] += 1
        return [Money(sign * s, self.currency) for s in shares]


_AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
# the same without a sign and with a non-zero digit somewhere
_POSITIVE_AMOUNT_PATTERN = r"^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)$"


class MoneyTotal(BaseModel):
    """Money in JSON: a decimal string and an ISO 4217 code, e.g. {"amount": "1234.56", "currency": "EUR"}.

    A total or balance (exposure, an overdue amount): not held to the limit of one amount.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={"examples": [{"amount": "1234.56", "currency": "EUR"}]},
    )
    # the largest magnitude in minor units the type accepts; None: only the digits are bounded
    largest_minor: ClassVar[int | None] = None

    amount: Identifier = Field(
        description=(
            "Decimal string with at most the currency's decimal places (JPY 0, EUR 2, KWD 3); "
            "a JSON number is refused so no client loses precision to floating point"
        ),
        examples=["1234.56", "-15.00", "100"],
        pattern=_AMOUNT_PATTERN,
    )
    currency: Identifier = Field(
        description="ISO 4217 alphabetic code", examples=["EUR", "JPY", "KWD"], pattern=r"^[A-Z]{3}$"
    )

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        # the schema says "decimal string": a JSON number, even a whole one, is refused rather than
        # read, so what clients send is exactly what the document describes
        if isinstance(value, int | float):
            raise ValueError('send amounts as decimal strings (e.g. "12.50"), not JSON numbers')
        # Decimals come only from Python callers, and are exact
        if isinstance(value, Decimal) and value.is_finite():
            return format(value, "f")
        return value

    @field_validator("currency", mode="before")
    @classmethod
    def _known_currency(cls, value: Any) -> Any:
        # before the pattern check, so "eur" gets the clearer "did you mean 'EUR'?" message
        if isinstance(value, str):
            currency_exponent(value)
        return value

    @model_validator(mode="after")
    def _fits_the_currency(self) -> Self:
        self.to_money()  # too many decimals, or too large, is an input error
        return self

    def to_money(self) -> Money:
        return _parse_exact(self.amount, self.currency, self.largest_minor)

    @classmethod
    def from_money(cls, money: Money) -> Self:
        """Exact by construction: nothing to parse or check."""
        return cast(Self, cls.model_construct(amount=str(money), currency=money.currency))


class MoneyAmount(MoneyTotal):
    """Money in JSON: a decimal string and an ISO 4217 code, e.g. {"amount": "1234.56", "currency": "EUR"}.

    One amount (of a document, an allocation, an order, a limit): at most 15 digits of minor units.
    """

    # a subclass of MoneyTotal: every amount is a valid total, not the other way round; the limit
    # keeps sums from overflowing (see MAX_AMOUNT_MINOR)
    largest_minor: ClassVar[int | None] = MAX_AMOUNT_MINOR

    amount: Identifier = Field(
        description=(
            "Decimal string with at most the currency's decimal places (JPY 0, EUR 2, KWD 3) and "
            f"{AMOUNT_LIMIT_TEXT}; a JSON number is refused so no client loses precision to floating point"
        ),
        examples=["1234.56", "-15.00", "100"],
        pattern=_AMOUNT_PATTERN,
    )


class PositiveMoneyAmount(MoneyAmount):
    """One amount that must be more than zero: what a document or an allocation moves.

    Zero or less is refused on the field itself (`amount_not_positive` on `amount`), not as a
    complaint about the whole request.
    """

    amount: Identifier = Field(
        description=(
            "Decimal string greater than zero, with at most the currency's decimal places (JPY 0, "
            f"EUR 2, KWD 3) and {AMOUNT_LIMIT_TEXT}; a JSON number is refused"
        ),
        examples=["1234.56", "0.01", "100"],
        # checked as any amount, so zero or less reaches the validator below and gets its own
        # code; the document states the narrower pattern clients must send
        pattern=_AMOUNT_PATTERN,
        json_schema_extra={"pattern": _POSITIVE_AMOUNT_PATTERN},
    )

    @model_validator(mode="before")
    @classmethod
    def _from_another_amount(cls, value: Any) -> Any:
        # Python callers pass the MoneyAmount they hold: checked like the JSON it stands for
        if isinstance(value, MoneyTotal) and not isinstance(value, cls):
            return {"amount": value.amount, "currency": value.currency}
        return value

    @model_validator(mode="after")
    def _more_than_zero(self) -> Self:
        if not self.to_money().is_positive:
            raise PydanticCustomError("amount_not_positive", "the amount must be more than zero")
        return self


@lru_cache(maxsize=8192)
def _parse_exact(amount: str, currency: str, largest: int | None) -> Money:
    # a request asks for the same amount several times (validation, rules, response), and a
    # bulk import repeats amounts: parsing is pure, so it is done once per distinct input
    return Money.parse_exact(amount, currency, largest=largest)
