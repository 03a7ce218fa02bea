"""SQL for the sweep: overdue totals per customer as of a date, and what was last announced."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.models import PastDueState
from ar_ledger.reports.repository import OPEN_ITEMS_AS_OF


@dataclass(frozen=True)
class OverdueTotal:
    customer_id: uuid.UUID
    currency: str
    oldest_days: int
    overdue_minor: int
    invoice_ids: list[uuid.UUID]


OVERDUE_BY_CUSTOMER = f"""
SELECT o.customer_id, o.currency, max(:as_of - o.due_date) AS oldest_days,
       sum(o.open_minor) AS overdue_minor, array_agg(o.id ORDER BY o.due_date, o.id) AS invoice_ids
FROM ({OPEN_ITEMS_AS_OF} AND i.due_date < :as_of) o
GROUP BY o.customer_id, o.currency
"""  # noqa: S608 - a constant query


class PastDueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_sweep(self) -> None:
        # one sweep at a time: two concurrent runs would both announce the same crossing
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended("ledger:past-due-sweep", 0)))
        )

    async def overdue(self, as_of: date) -> list[OverdueTotal]:
        rows = (await self.session.execute(text(OVERDUE_BY_CUSTOMER), {"as_of": as_of})).all()
        return [
            OverdueTotal(
                r.customer_id, r.currency, int(r.oldest_days), int(r.overdue_minor), list(r.invoice_ids)
            )
            for r in rows
        ]

    async def states(self) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(select(PastDueState.customer_id, PastDueState.bucket_index))
        return {r.customer_id: r.bucket_index for r in rows}

    async def remember(self, customer_id: uuid.UUID, bucket_index: int, as_of: date) -> None:
        statement = insert(PastDueState).values(
            customer_id=customer_id, bucket_index=bucket_index, as_of=as_of
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[PastDueState.customer_id],
                set_={"bucket_index": bucket_index, "as_of": as_of, "updated_at": func.now()},
            )
        )

    async def forget(self, customer_ids: Sequence[uuid.UUID]) -> None:
        if customer_ids:
            await self.session.execute(delete(PastDueState).where(PastDueState.customer_id.in_(customer_ids)))
