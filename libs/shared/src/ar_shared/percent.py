"""Shares and changes in aging reports (one home for the ledger's and collections' reports):
one decimal, halves rounded away from zero."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def percent_of(part: int, whole: int) -> str:
    """`part` as a percentage of `whole` ("0.0" when the whole is zero)."""
    if whole == 0:
        return "0.0"
    if part >= 0 and whole > 0:  # the usual case, in integers: a report has a million of them
        tenths = (part * 2000 + whole) // (2 * whole)
        return f"{tenths // 10}.{tenths % 10}"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP))


def percent_change(earlier: int, later: int) -> str | None:
    """later - earlier as a percentage of earlier (None when earlier is zero)."""
    if earlier == 0:
        return None
    return str(
        (Decimal(later - earlier) * 100 / Decimal(abs(earlier))).quantize(TENTH, rounding=ROUND_HALF_UP)
    )
