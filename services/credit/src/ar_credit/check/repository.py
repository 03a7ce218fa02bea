"""The credit check's one query: everything the decision needs in a single round trip."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import asyncpg

# Holds come back as parallel arrays, oldest first: asyncpg decodes arrays of uuid, text and
# timestamptz natively, which is cheaper than building and parsing JSON on the hot path.
CHECK_SQL = """
    SELECT c.currency,
           p.limit_minor,
           coalesce(e.open_ar_minor, 0) AS open_ar, coalesce(e.unapplied_cash_minor, 0) AS unapplied_cash,
           coalesce(e.unapplied_credits_minor, 0) AS unapplied_credits,
           coalesce(e.open_orders_minor, 0) AS open_orders, coalesce(e.disputed_minor, 0) AS disputed,
           e.last_event_at, o.overdue, o.oldest_due, h.ids AS hold_ids, h.reason_codes AS hold_reason_codes,
           h.sources AS hold_sources, h.placed_at AS hold_placed_at
    FROM credit.customers c
    LEFT JOIN credit.exposures e ON e.customer_id = c.id
    LEFT JOIN credit.credit_profiles p ON p.customer_id = c.id
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(i.open_minor) FILTER (WHERE i.due_date < $2), 0)::bigint AS overdue,
               min(i.due_date) AS oldest_due
        FROM credit.invoices i WHERE i.customer_id = c.id AND i.open_minor > 0
    ) o
    CROSS JOIN LATERAL (
        SELECT array_agg(h.id ORDER BY h.placed_at, h.id) AS ids,
               array_agg(h.reason_code ORDER BY h.placed_at, h.id) AS reason_codes,
               array_agg(h.source ORDER BY h.placed_at, h.id) AS sources,
               array_agg(h.placed_at ORDER BY h.placed_at, h.id) AS placed_at
        FROM credit.credit_holds h WHERE h.customer_id = c.id AND h.status = 'active'
    ) h
    WHERE c.id = $1
"""


@dataclass(frozen=True)
class HoldRow:
    id: uuid.UUID
    reason_code: str
    source: Literal["policy", "manual"]  # the table's CHECK constraint
    placed_at: datetime


@dataclass(frozen=True)
class CheckRow:
    currency: str
    limit_minor: int | None
    open_ar: int
    unapplied_cash: int
    unapplied_credits: int
    open_orders: int
    disputed: int
    overdue: int
    oldest_due: date | None
    holds: list[HoldRow]
    exposure_as_of: datetime | None  # the last event applied for the customer


async def check_row(connection: asyncpg.Connection, customer_id: uuid.UUID, today: date) -> CheckRow | None:
    """The customer's exposure picture, profile limit and active holds; None: unknown customer.

    One prepared statement sent straight to asyncpg (it keeps the plan per connection): a read
    pool's connection for the check itself (one statement, one consistent snapshot), or the
    request session's connection inside the transaction that records a decision.
    """
    row = await connection.fetchrow(CHECK_SQL, customer_id, today)
    if row is None:
        return None
    holds = (
        [
            HoldRow(*hold)
            for hold in zip(
                row["hold_ids"], row["hold_reason_codes"], row["hold_sources"], row["hold_placed_at"],
                strict=True,
            )
        ]
        if row["hold_ids"]
        else []
    )  # fmt: skip
    return CheckRow(
        row["currency"], row["limit_minor"], row["open_ar"], row["unapplied_cash"], row["unapplied_credits"],
        row["open_orders"], row["disputed"], row["overdue"], row["oldest_due"], holds, row["last_event_at"],
    )  # fmt: skip
