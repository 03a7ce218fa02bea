"""SQL for the worklist: the facts per account it is scored from, in one statement.

Row-level security applies as everywhere: a collector's statement sees only its accounts.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import SlaRule, WorklistWeight
from ar_collections.models.activity import CONTACT_KINDS
from ar_shared.db import driver_connection

# as_of per account: its entity's business date (the caller may fix one date for all)
# parameters: $1 entities, $2 their business dates, $3 one date for all (or null), $4 the default
# business date, $5 portfolios, $6 collector, $7 whether to read the last contacts, $8 contact kinds
_FACTS = """
WITH dates(business_entity, as_of) AS (
    SELECT * FROM unnest(CAST($1 AS text[]), CAST($2 AS date[]))
),
scope AS (
    SELECT a.customer_id, a.external_id, a.name, a.business_entity, a.portfolio_id, a.last_contact_on,
           coalesce(CAST($3 AS date), d.as_of, CAST($4 AS date)) AS as_of
    FROM collections.accounts a
    LEFT JOIN dates d ON d.business_entity = a.business_entity
    WHERE a.portfolio_id = ANY (CAST($5 AS uuid[]))
),
per_currency AS (
    SELECT o.customer_id, o.currency,
           sum(o.open_minor) AS open_minor,
           coalesce(sum(o.open_minor) FILTER (WHERE o.due_date < s.as_of), 0) AS overdue_minor,
           min(o.due_date) FILTER (WHERE o.due_date < s.as_of) AS oldest_overdue_due
    FROM collections.open_items o
    JOIN scope s ON s.customer_id = o.customer_id
    WHERE o.open_minor > 0
    GROUP BY o.customer_id, o.currency
),
balances AS (
    SELECT customer_id,
           array_agg(currency ORDER BY currency) AS currencies,
           array_agg(open_minor ORDER BY currency) AS open_minor,
           array_agg(overdue_minor ORDER BY currency) AS overdue_minor,
           min(oldest_overdue_due) AS oldest_overdue_due
    FROM per_currency
    GROUP BY customer_id
),
due_tasks AS (
    SELECT t.customer_id,
           jsonb_agg(jsonb_build_object('id', t.id, 'kind', t.kind, 'title', t.title, 'due_on', t.due_on,
                                        'sla_due_on', t.sla_due_on) ORDER BY t.due_on, t.id) AS tasks
    FROM collections.tasks t
    JOIN scope s ON s.customer_id = t.customer_id
    WHERE t.status = 'open' AND t.due_on <= s.as_of
      AND (t.assignee_subject IS NULL OR t.assignee_subject = $6)
    GROUP BY t.customer_id
),
contacts AS (
    -- the latest business date of each kind and direction of contact (what SLA rules ask for)
    SELECT c.customer_id, array_agg(c.kind) AS contact_kinds, array_agg(c.direction) AS contact_directions,
           array_agg(c.last_on) AS contact_dates
    FROM (
        SELECT a.customer_id, a.kind, a.direction, max(a.occurred_on) AS last_on
        FROM collections.activities a
        JOIN scope s ON s.customer_id = a.customer_id
        WHERE CAST($7 AS boolean) AND a.kind = ANY (CAST($8 AS text[]))
        GROUP BY a.customer_id, a.kind, a.direction
    ) c
    GROUP BY c.customer_id
)
SELECT s.customer_id, s.external_id, s.name, s.business_entity, s.portfolio_id, s.last_contact_on, s.as_of,
       b.currencies, b.open_minor, b.overdue_minor, b.oldest_overdue_due,
       t.tasks, cp.risk_class, n.reason AS do_not_contact, n.ends_on AS do_not_contact_ends_on,
       c.contact_kinds, c.contact_directions, c.contact_dates
FROM scope s
LEFT JOIN balances b ON b.customer_id = s.customer_id
LEFT JOIN due_tasks t ON t.customer_id = s.customer_id
LEFT JOIN collections.credit_profiles cp ON cp.customer_id = s.customer_id
LEFT JOIN collections.do_not_contact n ON n.customer_id = s.customer_id AND n.lifted_at IS NULL
LEFT JOIN contacts c ON c.customer_id = s.customer_id
WHERE b.oldest_overdue_due IS NOT NULL OR t.tasks IS NOT NULL
"""

_REASONS = text(
    """
SELECT r.customer_id, array_agg(DISTINCT r.code ORDER BY r.code) AS codes
FROM collections.item_reasons r
JOIN collections.open_items o ON o.invoice_id = r.invoice_id AND o.open_minor > 0
WHERE r.customer_id = ANY (CAST(:customers AS uuid[]))
GROUP BY r.customer_id
"""
)

_CONTACTS = text(
    """
SELECT customer_id, kind, direction, max(occurred_on) AS last_on
FROM collections.activities
WHERE customer_id = ANY (CAST(:customers AS uuid[])) AND kind = ANY (CAST(:kinds AS text[]))
GROUP BY customer_id, kind, direction
"""
)


@dataclass(frozen=True)
class Scope:
    collector: str
    portfolios: Sequence[uuid.UUID]
    as_of_by_entity: Mapping[str, date]
    default_as_of: date
    fixed_as_of: date | None = None
    contact_kinds: Sequence[str] = ()  # the kinds of contact SLA rules ask for (their last dates are read)


class WorklistRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def facts(self, scope: Scope) -> list[Mapping[str, Any]]:
        """One row per account with overdue items or tasks due, in the given portfolios.

        Sent straight to asyncpg on the session's connection (same transaction, same row-level
        security): a worklist reads thousands of rows, and a driver record is read ten times
        faster than an ORM row.
        """
        entities = sorted(scope.as_of_by_entity)
        connection = await driver_connection(self.session)
        records: list[Mapping[str, Any]] = await connection.fetch(
            _FACTS,
            entities,
            [scope.as_of_by_entity[e] for e in entities],
            scope.fixed_as_of,
            scope.default_as_of,
            list(scope.portfolios),
            scope.collector,
            bool(scope.contact_kinds),
            list(scope.contact_kinds),
        )
        return records

    async def reason_codes(self, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        """The reason codes on the open items of these accounts (a page of the worklist)."""
        if not customer_ids:
            return {}
        rows = await self.session.execute(_REASONS, {"customers": list(customer_ids)})
        return {row.customer_id: list(row.codes) for row in rows}

    async def last_contacts(
        self, customer_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, dict[tuple[str, str | None], date]]:
        """Per account, the latest business date of each kind and direction of contact."""
        found: dict[uuid.UUID, dict[tuple[str, str | None], date]] = {}
        if not customer_ids:
            return found
        rows = await self.session.execute(
            _CONTACTS, {"customers": list(customer_ids), "kinds": list(CONTACT_KINDS)}
        )
        for row in rows:
            found.setdefault(row.customer_id, {})[(row.kind, row.direction)] = row.last_on
        return found

    async def weights(self) -> dict[str, Decimal]:
        return {w.part: w.weight for w in (await self.session.scalars(select(WorklistWeight))).all()}

    async def sla_rules(self) -> Sequence[SlaRule]:
        query = select(SlaRule).where(SlaRule.active).order_by(SlaRule.code)
        return (await self.session.scalars(query)).all()
