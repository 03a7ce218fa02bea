"""SQL for KPIs per collector, team, portfolio, business entity or overall: AR as of a date from
the items' movements, and credit sales per month, each per group and currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.grouping import FILTERS, GROUP_KEYS, JOINS, Scope


@dataclass(frozen=True, slots=True)
class ArFigures:
    total: int
    current: int  # not past due on the date
    over_90: int  # more than 90 days past due


class KpiRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ar(self, as_of: date, scope: Scope) -> dict[tuple[str, str], ArFigures]:
        """Open AR per (group, currency) as of a date: every movement effective by then."""
        sql = f"""
            WITH balances AS (
                SELECT m.invoice_id, sum(m.delta_minor) AS open_minor
                FROM collections.item_movements m
                WHERE m.effective_date <= :as_of
                GROUP BY m.invoice_id
                HAVING sum(m.delta_minor) <> 0
            )
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, i.currency,
                   sum(b.open_minor) AS total,
                   coalesce(sum(b.open_minor) FILTER (WHERE i.due_date >= :as_of), 0) AS current_part,
                   coalesce(sum(b.open_minor) FILTER (WHERE :as_of - i.due_date > 90), 0) AS over_90
            FROM balances b
            JOIN collections.open_items i ON i.invoice_id = b.invoice_id
            {JOINS}
            WHERE true {FILTERS}
            GROUP BY 1, 2
        """  # noqa: S608 - fixed fragments only
        rows = await self.session.execute(text(sql), {"as_of": as_of, **scope.params()})
        return {
            (r.group_key, r.currency): ArFigures(int(r.total), int(r.current_part), int(r.over_90))
            for r in rows
        }

    async def oldest_open_issue_date(self, as_of: date, scope: Scope) -> date | None:
        """How far back count-back may walk (the oldest item open on the date, any group)."""
        sql = f"""
            SELECT min(i.issue_date)
            FROM (SELECT m.invoice_id FROM collections.item_movements m WHERE m.effective_date <= :as_of
                  GROUP BY m.invoice_id HAVING sum(m.delta_minor) <> 0) b
            JOIN collections.open_items i ON i.invoice_id = b.invoice_id
            {JOINS}
            WHERE true {FILTERS}
        """  # noqa: S608 - fixed fragments only
        found: date | None = await self.session.scalar(text(sql), {"as_of": as_of, **scope.params()})
        return found

    async def sales_by_month(
        self, first: date, start: date, end: date, scope: Scope
    ) -> dict[tuple[str, str], dict[tuple[date, bool], int]]:
        """Credit sales (invoices issued in [first, end], not void by `end`, not fees) per (group, currency),
        calendar month and whether in the period."""
        sql = f"""
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, i.currency,
                   date_trunc('month', i.issue_date)::date AS month, i.issue_date >= :start AS in_period,
                   sum(i.amount_minor) AS sales
            FROM collections.open_items i
            {JOINS}
            WHERE i.issue_date BETWEEN :first AND :end
              AND i.document_kind = 'invoice'  -- fees and interest are not sales (as in the ledger)
              AND NOT EXISTS (
                  SELECT 1 FROM collections.item_movements v
                  WHERE v.invoice_id = i.invoice_id AND v.kind = 'voided' AND v.effective_date <= :end
              )
              {FILTERS}
            GROUP BY 1, 2, 3, 4
        """  # noqa: S608 - fixed fragments only
        params = {"first": first, "start": start, "end": end, **scope.params()}
        result: dict[tuple[str, str], dict[tuple[date, bool], int]] = {}
        for r in await self.session.execute(text(sql), params):
            result.setdefault((r.group_key, r.currency), {})[(r.month, r.in_period)] = int(r.sales)
        return result
