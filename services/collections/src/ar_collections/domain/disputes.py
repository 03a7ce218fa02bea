"""Dispute and deduction rules: the status lifecycle, what a short payment becomes, and the
root-cause report's figures. Pure functions: no I/O, no clock.

A case moves open → under_review → resolved_valid / resolved_invalid / withdrawn (open may skip
the review). A resolved or withdrawn case is closed to further moves: a valid one stays
`resolved_valid` and closes (`closed_on`) when every credit memo it asked for arrived.

A valid resolution may be partly valid: it credits each item its whole disputed amount unless it
names a smaller credit for it (0: nothing). An item credited something waits for its memo, then
is dunned for what is left of it; an item credited nothing goes back into dunning at once. A
resolution that credits nothing at all is an invalid one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

Status = Literal["open", "under_review", "resolved_valid", "resolved_invalid", "withdrawn"]
NEXT: Mapping[str, frozenset[str]] = {
    "open": frozenset({"under_review", "resolved_valid", "resolved_invalid", "withdrawn"}),
    "under_review": frozenset({"resolved_valid", "resolved_invalid", "withdrawn"}),
}
FINAL = frozenset({"resolved_valid", "resolved_invalid", "withdrawn"})
# how credit hears of the outcome (DisputeResolved.resolution)
RESOLUTION: Mapping[str, Literal["customer_right", "customer_wrong", "withdrawn"]] = {
    "resolved_valid": "customer_right",
    "resolved_invalid": "customer_wrong",
    "withdrawn": "withdrawn",
}


def item_resolution(
    status: str, disputed_minor: int, credit_minor: int
) -> Literal["customer_right", "customer_wrong", "partially_right", "withdrawn"]:
    """How credit hears of one item's outcome: a valid case's item credited less than disputed
    is partially right, one credited nothing wrong."""
    if status != "resolved_valid" or credit_minor >= disputed_minor:
        return RESOLUTION[status]
    return "partially_right" if credit_minor > 0 else "customer_wrong"


def may_move(status: str, to: str) -> bool:
    return to in NEXT.get(status, frozenset())


def is_final(status: str) -> bool:
    return status in FINAL


def age_in_days(opened_on: date | None, today: date) -> int:
    """Days since a case was opened, as of the business date `today`: what the account view shows
    and the worklist's `dispute_age` part weighs (0 without a case, or for one opened later)."""
    if opened_on is None:
        return 0
    return max((today - opened_on).days, 0)


@dataclass(frozen=True, slots=True)
class AskedCredit:
    """A credit named for one item of a valid resolution (minor units, in `currency`)."""

    invoice_id: uuid.UUID
    minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class CreditError:
    index: int | None  # the asked credit it is about (None: the whole list)
    code: str
    message: str


def credits_per_item(
    disputed: Mapping[uuid.UUID, int], currency: str, asked: Sequence[AskedCredit]
) -> tuple[dict[uuid.UUID, int], list[CreditError]]:
    """The credit each item of the case gets (the disputed amount unless a credit is named for it)
    and what is wrong with the named credits (nothing is credited when anything is)."""
    errors: list[CreditError] = []
    credits = dict(disputed)
    seen: set[uuid.UUID] = set()
    for n, credit in enumerate(asked):
        if credit.invoice_id in seen:
            errors.append(CreditError(n, "duplicate_item", f"{credit.invoice_id} is named twice"))
            continue
        seen.add(credit.invoice_id)
        if credit.invoice_id not in disputed:
            errors.append(
                CreditError(n, "item_not_in_case", f"{credit.invoice_id} is not disputed in this case")
            )
        elif credit.currency != currency:
            errors.append(CreditError(n, "currency_mismatch", f"the case is in {currency}"))
        elif credit.minor < 0:
            errors.append(CreditError(n, "amount_negative", "a credit is 0 or more"))
        elif credit.minor > disputed[credit.invoice_id]:
            errors.append(
                CreditError(
                    n,
                    "above_disputed_amount",
                    f"more than the {disputed[credit.invoice_id]} (minor units) disputed on the item",
                )
            )
        else:
            credits[credit.invoice_id] = credit.minor
    if not errors and disputed and not any(credits.values()):
        errors.append(CreditError(None, "nothing_credited", "a resolution that credits nothing is invalid"))
    return credits, errors


ShortPaymentOutcome = Literal["deduction", "write_off", "none"]


def short_payment_outcome(
    residual_minor: int, deduction_reason: str | None, tolerance_minor: int | None
) -> ShortPaymentOutcome:
    """A payment left `residual_minor` open on an invoice: with a deduction reason, a residual
    under the currency's tolerance is recommended for write-off, a larger one is a deduction case.
    Without a reason (or nothing left) it is just a partial payment."""
    if deduction_reason is None or residual_minor <= 0:
        return "none"
    if tolerance_minor is not None and residual_minor < tolerance_minor:
        return "write_off"
    return "deduction"


def tolerance_minor(tolerances: Mapping[str, Decimal], currency: str, exponent: int) -> int | None:
    amount = tolerances.get(currency)
    return None if amount is None else int(amount.scaleb(exponent))


@dataclass(frozen=True, slots=True)
class CaseFacts:
    reason_code: str
    root_cause_code: str | None
    currency: str
    amount_minor: int
    opened_on: date
    resolved_on: date | None
    status: str


@dataclass(frozen=True, slots=True)
class RootCauseLine:
    reason_code: str
    root_cause_code: str | None
    currency: str
    cases: int
    amount_minor: int
    resolved: int
    valid: int
    invalid: int
    withdrawn: int
    average_days_to_resolve: Decimal | None


def root_causes(cases: Iterable[CaseFacts]) -> list[RootCauseLine]:
    """Cases and disputed amounts by reason, root cause and currency, with the outcomes and the
    average calendar days from opening to resolution of the resolved ones."""
    groups: dict[tuple[str, str | None, str], list[CaseFacts]] = {}
    for case in cases:
        groups.setdefault((case.reason_code, case.root_cause_code, case.currency), []).append(case)
    lines = []
    for (reason, root, currency), members in sorted(
        groups.items(), key=lambda g: (g[0][0], g[0][1] or "", g[0][2])
    ):
        days = [(c.resolved_on - c.opened_on).days for c in members if c.resolved_on is not None]
        lines.append(
            RootCauseLine(
                reason_code=reason,
                root_cause_code=root,
                currency=currency,
                cases=len(members),
                amount_minor=sum(c.amount_minor for c in members),
                resolved=len(days),
                valid=sum(c.status == "resolved_valid" for c in members),
                invalid=sum(c.status == "resolved_invalid" for c in members),
                withdrawn=sum(c.status == "withdrawn" for c in members),
                average_days_to_resolve=(
                    (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1")) if days else None
                ),
            )
        )
    return lines
