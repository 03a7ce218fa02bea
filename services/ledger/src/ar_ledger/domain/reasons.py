"""Reason codes of credit memos, write-offs and refunds: the default lists and what a list may hold."""

from __future__ import annotations

import re
from collections.abc import Sequence

CREDIT_MEMO_REASONS = (
    "pricing",
    "damaged_goods",
    "returns",
    "short_shipment",
    "billing_error",
    "dispute_settlement",
    "goodwill",
    "opening_balance",
    "other",
)
WRITE_OFF_REASONS = (
    "small_balance",
    "uncollectable",
    "bankruptcy",
    "dispute_settlement",
    "goodwill",
    "other",
)
REFUND_REASONS = ("overpayment", "duplicate_payment", "credit_balance", "account_closed", "other")

_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,49}")


def validate_codes(codes: Sequence[str]) -> tuple[str, ...]:
    """A configured list: at least one code, each lower-case letters, digits, `_`, `.` or `-`."""
    cleaned = tuple(codes)
    if not cleaned:
        raise ValueError("configure at least one reason code")
    if bad := [c for c in cleaned if not _CODE.fullmatch(c)]:
        raise ValueError(f"reason codes are lower-case letters, digits, _ . or -: not {bad}")
    if len(set(cleaned)) != len(cleaned):
        raise ValueError("a reason code is listed twice")
    return cleaned
