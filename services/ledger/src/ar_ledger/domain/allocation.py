"""Which open invoices a payment pays, and how much of each: the auto-apply rule."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class OpenInvoice:
    invoice_id: uuid.UUID
    invoice_number: str
    issue_date: date
    due_date: date
    open_minor: int


@dataclass(frozen=True)
class Allocation:
    invoice_id: uuid.UUID
    amount_minor: int
    deduction_reason: str | None = None  # the customer paid the invoice short, for this reason


def auto_apply_order(items: Sequence[OpenInvoice], remittance_reference: str | None) -> list[OpenInvoice]:
    """The order auto-apply pays invoices in.

    An invoice whose number equals the remittance reference comes first (the customer told us
    what they pay); then the oldest due date, ties broken by issue date, then invoice number.
    """
    reference = (remittance_reference or "").strip().casefold()
    return sorted(
        (i for i in items if i.open_minor > 0),
        key=lambda i: (
            0 if reference and i.invoice_number.casefold() == reference else 1,
            i.due_date,
            i.issue_date,
            i.invoice_number,
        ),
    )


def auto_allocate(
    amount_minor: int, items: Sequence[OpenInvoice], remittance_reference: str | None = None
) -> list[Allocation]:
    """Spreads `amount_minor` over the open invoices in auto-apply order.

    Never allocates more than an invoice's open balance nor more than the amount; whatever is
    left over stays unapplied with the caller.
    """
    if amount_minor < 0:
        raise ValueError("amount must not be negative")
    remaining = amount_minor
    allocations: list[Allocation] = []
    for item in auto_apply_order(items, remittance_reference):
        if remaining == 0:
            break
        take = min(remaining, item.open_minor)
        allocations.append(Allocation(item.invoice_id, take))
        remaining -= take
    return allocations
