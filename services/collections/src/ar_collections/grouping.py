"""How reports group accounts: per collector, team, portfolio, business entity, customer or overall.

An account counts for the portfolio (and so the collector and team) it is in now: DSO, CEI and
aging describe the balances a collector answers for today."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

GroupBy = Literal["overall", "business_entity", "portfolio", "collector", "team", "customer"]
# fixed fragments, chosen by a validated enum: never text from a request
GROUP_KEYS: dict[str, str] = {
    "overall": "'all'",
    "business_entity": "a.business_entity",
    "portfolio": "coalesce(a.portfolio_id::text, '')",
    "collector": "coalesce(p.collector_subject, '')",
    "team": "coalesce(c.team_id::text, '')",
    # scorecards and red flags: each customer's own figures, through the same queries
    "customer": "i.customer_id::text",
}
JOINS = """
    JOIN collections.accounts a ON a.customer_id = i.customer_id
    LEFT JOIN collections.portfolios p ON p.id = a.portfolio_id
    LEFT JOIN collections.collectors c ON c.subject = p.collector_subject
"""
FILTERS = """
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
