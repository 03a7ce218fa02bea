"""How reports group accounts: per collector, team, portfolio, business entity, customer or overall.

An account counts for the portfolio (and so the collector and team) that held it on the date a
report names (`Scope.assigned_on`: the KPI report's period end, the aging's as-of date), by the
assignment history (`held_portfolio`, the one reading of it); without a date, where it is now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

GroupBy = Literal["overall", "business_entity", "portfolio", "collector", "team", "customer"]
# fixed fragments, chosen by a validated enum: never text from a request
GROUP_KEYS: dict[str, str] = {
    "overall": "'all'",
    "business_entity": "a.business_entity",
    "portfolio": "coalesce(held.portfolio_id::text, '')",
    "collector": "coalesce(p.collector_subject, '')",
    "team": "coalesce(c.team_id::text, '')",
    # scorecards and red flags: each customer's own figures, through the same queries
    "customer": "i.customer_id::text",
}
JOINS = """
    JOIN collections.accounts a ON a.customer_id = i.customer_id
    CROSS JOIN LATERAL (SELECT a.portfolio_id) AS held(portfolio_id)
    LEFT JOIN collections.portfolios p ON p.id = held.portfolio_id
    LEFT JOIN collections.collectors c ON c.subject = p.collector_subject
"""


def held_portfolio(on: str) -> str:
    """Lateral joins giving `held.portfolio_id`: the portfolio that held account `a` on the date
    `on` (a fixed SQL expression, never request text). The last move effective by then; else
    (moved only later) where the first later move took it from; else (never moved) where it is now.
    The one reading of the assignment history: the KPIs (on their period's end), the aging (on
    its as-of date) and the targets' cash (on each payment's date) use it."""
    return f"""
    LEFT JOIN LATERAL (
        SELECT true AS found, h.to_portfolio_id AS portfolio_id
        FROM collections.assignment_history h
        WHERE h.customer_id = a.customer_id AND h.effective_on <= {on}
        ORDER BY h.effective_on DESC, h.id DESC
        LIMIT 1
    ) earlier ON true
    LEFT JOIN LATERAL (
        SELECT true AS found, h.from_portfolio_id AS portfolio_id
        FROM collections.assignment_history h
        WHERE h.customer_id = a.customer_id AND h.effective_on > {on}
        ORDER BY h.effective_on, h.id
        LIMIT 1
    ) later ON true
    CROSS JOIN LATERAL (
        SELECT CASE WHEN earlier.found THEN earlier.portfolio_id
                    WHEN later.found THEN later.portfolio_id
                    ELSE a.portfolio_id END
    ) AS held(portfolio_id)
    """  # noqa: S608 - fixed fragments only


_JOINS_HELD_ON = f"""
    JOIN collections.accounts a ON a.customer_id = i.customer_id
    {held_portfolio("CAST(:assigned_on AS date)")}
    LEFT JOIN collections.portfolios p ON p.id = held.portfolio_id
    LEFT JOIN collections.collectors c ON c.subject = p.collector_subject
"""
_BY_ASSIGNMENT = ("portfolio", "collector", "team")
FILTERS = """
    AND (CAST(:customer_id AS uuid) IS NULL OR i.customer_id = CAST(:customer_id AS uuid))
    AND (CAST(:business_entity AS text) IS NULL OR a.business_entity = CAST(:business_entity AS text))
"""


@dataclass(frozen=True, slots=True)
class Scope:
    group_by: GroupBy
    customer_id: uuid.UUID | None = None
    business_entity: str | None = None
    assigned_on: date | None = None  # group by the portfolio held on this date (None: now)

    @property
    def _held_on(self) -> bool:
        return self.assigned_on is not None and self.group_by in _BY_ASSIGNMENT

    def joins(self) -> str:
        """The account and its portfolio, collector and team (`held.portfolio_id`, `p`, `c`)."""
        return _JOINS_HELD_ON if self._held_on else JOINS

    def params(self) -> dict[str, object]:
        params: dict[str, object] = {"customer_id": self.customer_id, "business_entity": self.business_entity}
        if self._held_on:
            params["assigned_on"] = self.assigned_on
        return params


async def group_names(session: AsyncSession, group_by: GroupBy) -> dict[str, str]:
    """Display names of the groups (portfolios, collectors, teams)."""
    queries = {
        "portfolio": "SELECT id::text, name FROM collections.portfolios",
        "collector": "SELECT subject, display_name FROM collections.collectors",
        "team": "SELECT id::text, name FROM collections.teams",
    }
    if group_by not in queries:
        return {}
    rows = await session.execute(text(queries[group_by]))
    return {str(key): str(name) for key, name in rows}
