"""The credit check's one query: everything the decision needs in a single round trip."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CHECK_QUERY = text(
    """
    SELECT c.currency,
           p.limit_minor,
           coalesce(e.open_ar_minor, 0) AS open_ar, coalesce(e.unapplied_cash_minor, 0) AS unapplied_cash,
           coalesce(e.unapplied_credits_minor, 0) AS unapplied_credits,
           coalesce(e.open_orders_minor, 0) AS open_orders, coalesce(e.disputed_minor, 0) AS disputed,
           (SELECT coalesce(sum(i.open_minor) FILTER (WHERE i.due_date < :today), 0)::bigint
              FROM credit.invoices i WHERE i.customer_id = c.id AND i.open_minor > 0) AS overdue,
           (SELECT min(i.due_date) FROM credit.invoices i WHERE i.customer_id = c.id AND i.open_minor > 0)
              AS oldest_due,
           (SELECT coalesce(json_agg(json_build_object('id', h.id, 'reason_code', h.reason_code,
                                                      'source', h.source, 'placed_at', h.placed_at)
                                     ORDER BY h.placed_at), '[]'::json)
              FROM credit.credit_holds h WHERE h.customer_id = c.id AND h.status = 'active') AS holds
    FROM credit.customers c
    LEFT JOIN credit.exposures e ON e.customer_id = c.id
    LEFT JOIN credit.credit_profiles p ON p.customer_id = c.id
    WHERE c.id = :customer_id
    """
)


@dataclass(frozen=True)
class HoldRow:
    id: uuid.UUID
    reason_code: str
    source: str
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


async def check_row(session: AsyncSession, customer_id: uuid.UUID, today: date) -> CheckRow | None:
    row = (await session.execute(CHECK_QUERY, {"customer_id": customer_id, "today": today})).first()
    if row is None:
        return None
    holds = [
        HoldRow(uuid.UUID(h["id"]), h["reason_code"], h["source"], datetime.fromisoformat(h["placed_at"]))
        for h in row.holds
    ]
    return CheckRow(
        row.currency, row.limit_minor, int(row.open_ar), int(row.unapplied_cash), int(row.unapplied_credits),
        int(row.open_orders), int(row.disputed), int(row.overdue), row.oldest_due, holds,
    )  # fmt: skip
