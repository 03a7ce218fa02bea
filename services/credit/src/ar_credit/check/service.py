"""Answers the credit check from the exposure picture, the profile and the active holds."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from ar_credit.domain.credit import Decision, ExposureParts, order_verdict
from ar_credit.exposure.picture import CreditRules, HoldRow, read_picture
from ar_shared.money import Money, currency_exponent, format_minor
from ar_shared.problems import NotFound, Unprocessable


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    """The decision and everything it was made from, in minor units of the customer's currency."""

    customer_id: uuid.UUID
    decision: Decision
    business_date: date
    currency: str
    amount_minor: int
    limit_minor: int | None
    available_minor: int
    parts: ExposureParts
    exposure_minor: int
    holds: list[HoldRow]
    reason_codes: list[str]

    def to_json(self) -> bytes:
        """The `CreditCheck` document, built straight from plain values: on the platform's
        hottest endpoint, model objects would cost more than the query (the API tests validate
        this JSON against `CreditCheck` for every decision)."""
        exponent = currency_exponent(self.currency)

        def money(minor: int) -> dict[str, str]:
            return {"amount": format_minor(minor, exponent), "currency": self.currency}

        p = self.parts
        document = {
            "customer_id": str(self.customer_id),
            "decision": self.decision,
            "business_date": self.business_date.isoformat(),
            "amount": money(self.amount_minor),
            "credit_limit": None if self.limit_minor is None else money(self.limit_minor),
            "available_credit": money(self.available_minor),
            "exposure": {
                "open_ar": money(p.open_ar),
                "unapplied_cash": money(p.unapplied_cash),
                "unapplied_credits": money(p.unapplied_credits),
                "open_orders": money(p.open_orders),
                "disputed": money(p.disputed),
                "total": money(self.exposure_minor),
                "overdue": money(p.overdue),
                "oldest_days_past_due": p.oldest_days_past_due,
            },
            "holds": [
                {
                    "id": str(h.id),
                    "reason_code": h.reason_code,
                    "source": h.source,
                    "placed_at": h.placed_at.isoformat().replace("+00:00", "Z"),
                }
                for h in self.holds
            ],
            "reason_codes": self.reason_codes,
        }
        return json.dumps(document, separators=(",", ":")).encode()


async def check(
    connection: asyncpg.Connection, customer_id: uuid.UUID, amount: Money, now: datetime, rules: CreditRules
) -> CheckAnswer:
    """One query (the exposure picture on the customer's business date), then the pure decision."""
    picture = await read_picture(connection, customer_id, now, rules)
    if picture is None:
        raise NotFound(f"customer {customer_id} is unknown to credit", code="customer_not_found")
    if amount.currency != picture.currency:
        raise Unprocessable(
            f"the customer is billed in {picture.currency}, not {amount.currency}", code="currency_mismatch"
        )
    if not amount.is_positive:
        raise Unprocessable("the order amount must be positive", code="amount_not_positive")
    parts, limit = picture.parts, picture.limit_minor
    decision, available, reasons = order_verdict(
        parts,
        limit,
        amount.minor,
        [h.reason_code for h in picture.holds],
        include_disputed=rules.include_disputed,
    )
    return CheckAnswer(
        customer_id, decision, picture.business_date, picture.currency, amount.minor, limit, available, parts,
        picture.exposure(rules), picture.holds, reasons,
    )  # fmt: skip
