"""What of a payment's cash or a credit memo's credit is still there to apply or refund, by date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Drawn:
    """An amount drawn from the source from a date: applied to an invoice (perhaps taken back
    from `until` on: unapplied, or the application reversed) or refunded (for good)."""

    amount_minor: int
    effective_date: date
    until: date | None = None

    def on(self, day: date) -> int:
        in_effect = self.effective_date <= day and (self.until is None or day < self.until)
        return self.amount_minor if in_effect else 0


def unapplied_on(amount_minor: int, drawn: Sequence[Drawn], day: date) -> int:
    """What of the source is neither applied nor refunded on `day`."""
    return amount_minor - sum(d.on(day) for d in drawn)


def drawable(amount_minor: int, available_from: date, drawn: Sequence[Drawn], on: date) -> int:
    """The most an application or a refund dated `on` may take, so the source is never overdrawn
    on any date.

    It takes the money from `on` on, so it must fit what is unapplied on `on` and on every later
    date at which the balance changes (a later application takes some, a later unapply gives some
    back only from its own date): the smallest of those. Nothing before the source exists.
    """
    if on < available_from:
        return 0
    changes = {on} | {d for x in drawn for d in (x.effective_date, x.until) if d is not None and d > on}
    return max(0, min(unapplied_on(amount_minor, drawn, day) for day in changes))
