"""What the simulation did, counted as it goes (the summary sets it beside what the APIs report)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Tally:
    invoices: int = 0
    payments: int = 0
    short_payments: int = 0
    cash: Counter[str] = field(default_factory=Counter)  # currency → amount (Decimal values)
    calls: int = 0
    promises: int = 0
    promises_meant_kept: int = 0
    disputes: int = 0
    disputes_valid: int = 0
    disputes_invalid: int = 0
    credit_memos: int = 0
    orders: Counter[str] = field(default_factory=Counter)  # decision → count
    waited_seconds: float = 0.0
    days: int = 0
    seconds: Counter[str] = field(default_factory=Counter)  # phase of the day → seconds spent

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[phase] += time.monotonic() - started  # type: ignore[assignment]

    def add_cash(self, currency: str, amount: Decimal) -> None:
        self.cash[currency] += amount  # type: ignore[assignment]
