"""SQL for the sweep: each account's oldest overdue due date on each day of a range, what the accounts
it announces owe on their day, and what was last announced."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain.aging import overdue_sql
from ar_ledger.models import Customer, PastDueState


@dataclass(frozen=True)
class OldestDue:
    """The oldest due date among an account's invoices overdue on a day.

    `as_of` None: an invoice open now that no movement dated after the first day changed (open by
    the same amount all through the range), so overdue on every day after its due date."""

    customer_id: uuid.UUID
    as_of: date | None
    due_date: date


@dataclass(frozen=True)
class OverdueTotal:
    customer_id: uuid.UUID
    as_of: date
    currency: str
    overdue_minor: int
    invoice_ids: list[uuid.UUID]  # oldest first


# Which of the entity's invoices are overdue on each day of [:first, :first + :span], and the
# oldest due date among them per account. An invoice is open on a day by its amount less what is
# applied by then and not taken back by then, issued by then and not void by then (the as-of rule
# of the reports). Two kinds:
# - steady: open now, and no movement dated after :first (an application, its reversal, a void)
#   touched it: open by the same amount every day of the range, overdue from the day after its due
#   date. One row per account (its oldest steady due date) stands for every day.
# - moved: a movement dated after :first changed it; judged day by day (few invoices).
# So a range of 90 days costs about one pass over the entity's open invoices, not 90.
OLDEST_DUE_BY_DAY = f"""
WITH accounts AS (
    SELECT c.id FROM ledger.customers c
    WHERE CAST(:business_entity AS text) IS NULL OR c.business_entity = :business_entity
), moved AS (
    SELECT a.invoice_id AS id FROM ledger.applications a
    WHERE a.effective_date > :first OR a.reversed_on > :first
    UNION
    SELECT i.id FROM ledger.invoices i WHERE i.voided_on > :first
), steady AS (
    SELECT i.customer_id, NULL::date AS as_of, min(i.due_date) AS due_date
    FROM ledger.invoices i JOIN accounts c ON c.id = i.customer_id
    WHERE i.open_minor > 0 AND {overdue_sql(":last", "i.due_date")}
      AND NOT EXISTS (SELECT 1 FROM moved m WHERE m.id = i.id)
    GROUP BY i.customer_id
), days AS (
    SELECT CAST(:first AS date) + n AS as_of FROM generate_series(0, CAST(:span AS integer)) AS n
), moved_invoices AS (
    SELECT i.id, i.customer_id, i.due_date, i.issue_date, i.voided_on, i.amount_minor
    FROM moved m JOIN ledger.invoices i ON i.id = m.id JOIN accounts c ON c.id = i.customer_id
    WHERE {overdue_sql(":last", "i.due_date")}
), applied AS (
    SELECT d.as_of, a.invoice_id, sum(a.amount_minor) AS applied_minor
    FROM moved_invoices i
    JOIN ledger.applications a ON a.invoice_id = i.id
    JOIN days d ON a.effective_date <= d.as_of AND (a.reversed_on IS NULL OR a.reversed_on > d.as_of)
    GROUP BY d.as_of, a.invoice_id
), moved_by_day AS (
    SELECT i.customer_id, d.as_of, min(i.due_date) AS due_date
    FROM moved_invoices i
    JOIN days d ON {overdue_sql("d.as_of", "i.due_date")} AND i.issue_date <= d.as_of
               AND (i.voided_on IS NULL OR i.voided_on > d.as_of)
    LEFT JOIN applied ap ON ap.as_of = d.as_of AND ap.invoice_id = i.id
    WHERE i.amount_minor - coalesce(ap.applied_minor, 0) > 0
    GROUP BY i.customer_id, d.as_of
)
SELECT customer_id, as_of, due_date FROM steady
UNION ALL
SELECT customer_id, as_of, due_date FROM moved_by_day
"""  # noqa: S608 - only the domain's fixed SQL fragments are interpolated

# What the accounts an announcement names owe on its day, per currency, with the overdue invoices
# (by the same as-of rule): fetched for those only, a few per cent of a long close's (account, day)
# pairs.
OVERDUE_ON_THE_DAY = f"""
WITH wanted AS (
    SELECT * FROM unnest(CAST(:customers AS uuid[]), CAST(:days AS date[])) AS w(customer_id, as_of)
), open_items AS (
    SELECT w.customer_id, w.as_of, i.id, i.currency, i.due_date, i.amount_minor - coalesce((
        SELECT sum(a.amount_minor) FROM ledger.applications a
        WHERE a.invoice_id = i.id AND a.effective_date <= w.as_of
          AND (a.reversed_on IS NULL OR a.reversed_on > w.as_of)
    ), 0) AS open_minor
    FROM wanted w
    JOIN ledger.invoices i ON i.customer_id = w.customer_id AND {overdue_sql("w.as_of", "i.due_date")}
                          AND i.issue_date <= w.as_of AND (i.voided_on IS NULL OR i.voided_on > w.as_of)
)
SELECT customer_id, as_of, currency, sum(open_minor) AS overdue_minor,
       array_agg(id ORDER BY due_date, id) AS invoice_ids
FROM open_items
WHERE open_minor > 0
GROUP BY customer_id, as_of, currency
ORDER BY customer_id, as_of, currency
"""  # noqa: S608 - only the domain's fixed SQL fragments are interpolated


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

    async def oldest_due(self, first: date, last: date, business_entity: str | None) -> list[OldestDue]:
        """The accounts (of the entity, or everyone) with invoices overdue on some day of
        [first, last], with their oldest overdue due date (see `OLDEST_DUE_BY_DAY`)."""
        rows = await self.session.execute(
            text(OLDEST_DUE_BY_DAY),
            {"first": first, "last": last, "span": (last - first).days, "business_entity": business_entity},
        )
        return [OldestDue(r.customer_id, r.as_of, r.due_date) for r in rows]

    async def overdue_on_the_day(self, accounts: Sequence[tuple[uuid.UUID, date]]) -> list[OverdueTotal]:
        """Per (account, day) and currency: the overdue total and invoices, oldest first."""
        if not accounts:
            return []
        rows = await self.session.execute(
            text(OVERDUE_ON_THE_DAY),
            {"customers": [c for c, _ in accounts], "days": [d for _, d in accounts]},
        )
        return [
            OverdueTotal(r.customer_id, r.as_of, r.currency, int(r.overdue_minor), list(r.invoice_ids))
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
