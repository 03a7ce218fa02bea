"""SQL for the sweep: overdue totals per customer for each day of a range, and what was last announced."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.models import Customer, PastDueState


@dataclass(frozen=True)
class OverdueTotal:
    as_of: date
    customer_id: uuid.UUID
    currency: str
    oldest_days: int
    overdue_minor: int
    invoice_ids: list[uuid.UUID]


# Open amount of each invoice as of each day of [:first, :first + :span], for the invoices overdue
# on that day. Only invoices whose state on some day of the range can be "open" are looked at:
# those open now, and those a movement dated after :first (an application, its reversal, a void)
# changed; an invoice settled by movements all dated by :first stayed settled through the range.
# What was applied as of each day is summed once for all (day, invoice) pairs with hash joins, so
# 90 days cost about one pass over the candidates, not 90 passes over the ledger (the integer
# series keeps the planner's row estimate exact).
OVERDUE_BY_DAY = """
WITH days AS (
    SELECT CAST(:first AS date) + n AS as_of FROM generate_series(0, CAST(:span AS integer)) AS n
), candidates AS (
    SELECT i.id FROM ledger.invoices i WHERE i.open_minor > 0 AND i.due_date < :last
    UNION
    SELECT a.invoice_id FROM ledger.applications a WHERE a.effective_date > :first OR a.reversed_on > :first
    UNION
    SELECT i.id FROM ledger.invoices i WHERE i.voided_on > :first
), swept AS (
    SELECT i.id, i.customer_id, i.currency, i.due_date, i.issue_date, i.voided_on, i.amount_minor
    FROM candidates k
    JOIN ledger.invoices i ON i.id = k.id
    JOIN ledger.customers c ON c.id = i.customer_id
    WHERE i.due_date < :last
      AND (CAST(:business_entity AS text) IS NULL OR c.business_entity = :business_entity)
), applied AS (
    SELECT d.as_of, a.invoice_id, sum(a.amount_minor) AS applied_minor
    FROM swept i
    JOIN ledger.applications a ON a.invoice_id = i.id
    JOIN days d ON a.effective_date <= d.as_of AND (a.reversed_on IS NULL OR a.reversed_on > d.as_of)
    GROUP BY d.as_of, a.invoice_id
), open_by_day AS (
    SELECT d.as_of, i.id, i.customer_id, i.currency, i.due_date,
           i.amount_minor - coalesce(ap.applied_minor, 0) AS open_minor
    FROM swept i
    JOIN days d ON i.due_date < d.as_of AND i.issue_date <= d.as_of
               AND (i.voided_on IS NULL OR i.voided_on > d.as_of)
    LEFT JOIN applied ap ON ap.as_of = d.as_of AND ap.invoice_id = i.id
)
SELECT as_of, customer_id, currency, max(as_of - due_date) AS oldest_days, sum(open_minor) AS overdue_minor,
       array_agg(id ORDER BY due_date, id) AS invoice_ids
FROM open_by_day
WHERE open_minor > 0
GROUP BY as_of, customer_id, currency
ORDER BY as_of, customer_id, currency
"""


class PastDueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_sweep(self, business_entity: str | None) -> None:
        """One sweep at a time per entity: two concurrent runs would both announce the same
        crossing. A sweep of every entity excludes all of them; sweeps of different entities
        run side by side."""
        everyone = func.hashtextextended("ledger:past-due-sweep", 0)
        if business_entity is None:
            await self.session.execute(select(func.pg_advisory_xact_lock(everyone)))
            return
        await self.session.execute(select(func.pg_advisory_xact_lock_shared(everyone)))
        entity = func.hashtextextended(f"ledger:past-due-sweep:{business_entity}", 0)
        await self.session.execute(select(func.pg_advisory_xact_lock(entity)))

    async def overdue_by_day(
        self, first: date, last: date, business_entity: str | None
    ) -> list[OverdueTotal]:
        """Per day of [first, last], customer and currency: oldest days past due, overdue total and
        the overdue invoices (oldest first), ordered by day."""
        rows = (
            await self.session.execute(
                text(OVERDUE_BY_DAY),
                {
                    "first": first,
                    "last": last,
                    "span": (last - first).days,
                    "business_entity": business_entity,
                },
            )
        ).all()
        return [
            OverdueTotal(
                r.as_of,
                r.customer_id,
                r.currency,
                int(r.oldest_days),
                int(r.overdue_minor),
                list(r.invoice_ids),
            )
            for r in rows
        ]

    async def states(self, business_entity: str | None) -> dict[uuid.UUID, int]:
        query = select(PastDueState.customer_id, PastDueState.bucket_index)
        if business_entity is not None:
            query = query.join(Customer, Customer.id == PastDueState.customer_id).where(
                Customer.business_entity == business_entity
            )
        return {r.customer_id: r.bucket_index for r in await self.session.execute(query)}

    async def remember(self, states: Sequence[tuple[uuid.UUID, int, date]]) -> None:
        """Upserts (customer, bucket index, as of) in one statement."""
        if not states:
            return
        statement = insert(PastDueState).values(
            [{"customer_id": c, "bucket_index": b, "as_of": d} for c, b, d in states]
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[PastDueState.customer_id],
                set_={
                    "bucket_index": statement.excluded.bucket_index,
                    "as_of": statement.excluded.as_of,
                    "updated_at": func.now(),
                },
            )
        )

    async def forget(self, customer_ids: Sequence[uuid.UUID]) -> None:
        if customer_ids:
            await self.session.execute(delete(PastDueState).where(PastDueState.customer_id.in_(customer_ids)))
