"""SQL for the aging of portfolios, collectors, teams and entities as of any date (from the items'
movements), each bucket summed per group and currency by the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.domain.aging import bucket_sql
from ar_collections.grouping import FILTERS, GROUP_KEYS, Scope


class AgingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def buckets(
        self, as_of: date, edges: Sequence[int], scope: Scope
    ) -> dict[tuple[str, str], dict[int, int]]:
        """Open amount per (group, currency) and bucket index, as of a date (per portfolio,
        collector or team: the one that held each account on `scope.assigned_on`)."""
        sql = f"""
            WITH balances AS (
                SELECT m.invoice_id, sum(m.delta_minor) AS open_minor
                FROM collections.item_movements m
                WHERE m.effective_date <= :as_of
                GROUP BY m.invoice_id
                HAVING sum(m.delta_minor) <> 0
            )
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, i.currency,
                   {bucket_sql(edges, ":as_of", "i.due_date")} AS bucket, sum(b.open_minor) AS amount
            FROM balances b
            JOIN collections.open_items i ON i.invoice_id = b.invoice_id
            {scope.joins()}
            WHERE true {FILTERS}
            GROUP BY 1, 2, 3
        """  # noqa: S608 - fixed fragments and integer edges only
        found: dict[tuple[str, str], dict[int, int]] = {}
        for r in await self.session.execute(text(sql), {"as_of": as_of, **scope.params()}):
            found.setdefault((r.group_key, r.currency), {})[int(r.bucket)] = int(r.amount)
        return found
