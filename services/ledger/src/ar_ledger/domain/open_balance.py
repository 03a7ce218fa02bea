"""An invoice's open balance and status as of any date, from its effective-dated applications."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

InvoiceStatus = Literal["open", "paid", "void", "written_off"]


@dataclass(frozen=True)
class Applied:
    """An amount applied to the invoice (payment, credit memo or write-off), from a date, perhaps
    taken back from a later one (unapplied, or its payment reversed)."""

    source_kind: str
    amount_minor: int
    effective_date: date
    reversed_on: date | None
    seq: int  # the order applications were made in

    def active_on(self, as_of: date) -> bool:
        return self.effective_date <= as_of and (self.reversed_on is None or self.reversed_on > as_of)


def open_balance(amount_minor: int, applications: Sequence[Applied], as_of: date) -> int:
    """The amount less what was applied by `as_of` and not taken back by then (the reports' SQL
    computes the same for every invoice at once: `reports.repository.OPEN_ITEMS_AS_OF`)."""
    return amount_minor - sum(a.amount_minor for a in applications if a.active_on(as_of))


def applicable(amount_minor: int, applications: Sequence[Applied], on: date) -> int:
    """The most an application dated `on` may take, so the invoice is never over-applied on any date.

    It lowers the balance from `on` on, so it must fit what is open on `on` and on every later date
    at which the balance changes (an application dated later takes some, an unapply or a reversal
    gives some back only from its own date): the smallest of those. An invoice paid on `on` and
    reopened by an unapply dated later is not open on `on`: money applied there would count twice
    until the unapply, and the AR of those days would lose it (`domain.unapplied.drawable` is the
    same rule for the money's source).
    """
    changes = {on} | {
        d for a in applications for d in (a.effective_date, a.reversed_on) if d is not None and d > on
    }
    return max(0, min(open_balance(amount_minor, applications, day) for day in changes))


def status_on(
    amount_minor: int, voided_on: date | None, applications: Sequence[Applied], as_of: date
) -> InvoiceStatus:
    """Void once voided; otherwise open while something is open, else paid or written off by
    whatever closed it (the last application in effect)."""
    if voided_on is not None and voided_on <= as_of:
        return "void"
    active = [a for a in applications if a.active_on(as_of)]
    if amount_minor - sum(a.amount_minor for a in active) > 0:
        return "open"
    closing = max(active, key=lambda a: (a.effective_date, a.seq))
    return "written_off" if closing.source_kind == "write_off" else "paid"
