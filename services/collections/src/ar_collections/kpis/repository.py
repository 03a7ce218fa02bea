"""SQL for KPIs per collector, team, portfolio, business entity or overall: AR as of a date from
the items' movements, and credit sales per month, each per group and currency.

An account counts for the portfolio (and so the collector and team) it is in now: DSO and CEI
describe the balances a collector answers for today."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

GroupBy = Literal["overall", "business_entity", "portfolio", "collector", "team"]
# fixed fragments, chosen by a validated enum: never text from a request
GROUP_KEYS: dict[str, str] = {
    "overall": "'all'",
    "business_entity": "a.business_entity",
    "portfolio": "coalesce(a.portfolio_id::text, '')",
    "collector": "coalesce(p.collector_subject, '')",
    "team": "coalesce(c.team_id::text, '')",
}
_JOINS = """
    JOIN collections.accounts a ON a.customer_id = i.customer_id
    LEFT JOIN collections.portfolios p ON p.id = a.portfolio_id
    LEFT JOIN collections.collectors c ON c.subject = p.collector_subject
"""
_FILTERS = """
    AND (CAST(:customer_id AS uuid) IS NULL OR i.customer_id = CAST(:customer_id AS uuid))
    AND (CAST(:business_entity AS text) IS NULL OR a.business_entity = CAST(:business_entity AS text))
"""


@dataclass(frozen=True, slots=True)
class Scope:
    group_by: GroupBy
    customer_id: uuid.UUID | None = None
    business_entity: str | None = None

    def params(self) -> dict[str, object]:
        return {"customer_id": self.customer_id, "business_entity": self.business_entity}


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
            {_JOINS}
            WHERE true {_FILTERS}
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
            {_JOINS}
            WHERE true {_FILTERS}
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
            {_JOINS}
            WHERE i.issue_date BETWEEN :first AND :end
              AND i.document_kind = 'invoice'  -- fees and interest are not sales (as in the ledger)
              AND NOT EXISTS (
                  SELECT 1 FROM collections.item_movements v
                  WHERE v.invoice_id = i.invoice_id AND v.kind = 'voided' AND v.effective_date <= :end
              )
              {_FILTERS}
            GROUP BY 1, 2, 3, 4
        """  # noqa: S608 - fixed fragments only
        params = {"first": first, "start": start, "end": end, **scope.params()}
        result: dict[tuple[str, str], dict[tuple[date, bool], int]] = {}
        for r in await self.session.execute(text(sql), params):
            result.setdefault((r.group_key, r.currency), {})[(r.month, r.in_period)] = int(r.sales)
        return result

    async def names(self, group_by: GroupBy) -> dict[str, str]:
        """Display names of the groups (portfolios, collectors, teams)."""
        queries = {
            "portfolio": "SELECT id::text, name FROM collections.portfolios",
            "collector": "SELECT subject, display_name FROM collections.collectors",
            "team": "SELECT id::text, name FROM collections.teams",
        }
        if group_by not in queries:
            return {}
        rows = await self.session.execute(text(queries[group_by]))
        return {str(key): str(name) for key, name in rows}
