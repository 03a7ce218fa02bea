"""Money as integer minor units plus an ISO 4217 code; decimal strings at the edges, never floats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

# ISO 4217 minor units of the active currencies, by exponent
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


class UnknownCurrency(ValueError):
    pass


class InvalidAmount(ValueError):
    pass


class CurrencyMismatch(ValueError):
    pass


def currency_exponent(code: str) -> int:
    """Number of decimal places of the currency's minor unit (JPY 0, EUR 2, KWD 3)."""
    try:
        return _EXPONENTS[code]
    except KeyError:
        raise UnknownCurrency(f"{code!r} is not an ISO 4217 currency code") from None


def _to_decimal(amount: Decimal | str | int) -> Decimal:
    if isinstance(amount, float | bool):
        raise TypeError("money never comes from float or bool: pass a decimal string, Decimal or int")
    if isinstance(amount, Decimal):
        value = amount
    else:
        try:
            value = Decimal(str(amount).strip())
        except InvalidOperation:
            raise InvalidAmount(f"{amount!r} is not a decimal amount") from None
    if not value.is_finite():
        raise InvalidAmount(f"{amount!r} is not a finite amount")
    return value


@dataclass(frozen=True, slots=True, order=False)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")
        currency_exponent(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Rounds `amount` to the currency's minor unit with `rounding` (banker's by default)."""
        exponent = currency_exponent(currency)
        value = _to_decimal(amount).scaleb(exponent).quantize(Decimal(1), rounding=rounding)
        return cls(int(value), currency)

    @classmethod
    def parse_exact(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Refuses amounts with more decimals than the currency has (no silent rounding)."""
        exponent = currency_exponent(currency)
        value = _to_decimal(amount)
        scaled = value.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(f"{currency} amounts have at most {exponent} decimal places, got {amount}")
        return cls(int(scaled), currency)

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-self.exponent).quantize(Decimal(1).scaleb(-self.exponent))

    def __str__(self) -> str:
        return str(self.to_decimal())

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
        total = cls.zero(currency)
        for item in items:
            total = total + item
        return total

    def times(self, factor: Decimal | int, rounding: str = ROUND_HALF_EVEN) -> Money:
        if isinstance(factor, float | bool):
            raise TypeError("multiply money by a Decimal or int, never a float")
        product = (Decimal(self.minor) * Decimal(factor)).quantize(Decimal(1), rounding=rounding)
        return Money(int(product), self.currency)

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Splits into parts proportional to `ratios` that add up exactly (largest remainder)."""
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise ValueError("ratios must be non-negative with a positive total")
        total = sum(ratios)
        sign = -1 if self.minor < 0 else 1
        whole = abs(self.minor)
        shares = [whole * r // total for r in ratios]
        remainders = sorted(range(len(ratios)), key=lambda i: (-(whole * ratios[i] % total), i))
        for i in remainders[: whole - sum(shares)]:
            shares[i] += 1
        return [Money(sign * s, self.currency) for s in shares]


class MoneyAmount(BaseModel):
    """Money in JSON: a decimal string and an ISO 4217 code, e.g. {"amount": "1234.56", "currency": "EUR"}."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={"examples": [{"amount": "1234.56", "currency": "EUR"}]},
    )

    amount: str = Field(
        description="Decimal string with at most the currency's decimal places; never a JSON number",
        examples=["1234.56"],
        pattern=r"^-?\d+(\.\d+)?$",
    )
    currency: str = Field(
        description="ISO 4217 alphabetic code", examples=["EUR"], min_length=3, max_length=3
    )

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError('send amounts as decimal strings (e.g. "12.50"), not JSON numbers')
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        currency_exponent(value)
        return value

    def model_post_init(self, context: Any, /) -> None:
        Money.parse_exact(self.amount, self.currency)  # too many decimals is an input error

    def to_money(self) -> Money:
        return Money.parse_exact(self.amount, self.currency)

    @classmethod
    def from_money(cls, money: Money) -> Self:
        return cls(amount=str(money), currency=money.currency)
