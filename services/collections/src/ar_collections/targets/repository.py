"""SQL for targets, and the cash each portfolio collected in a date range."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from ar_collections.grouping import held_portfolio
from ar_collections.models import CollectionTarget, Collector, Portfolio, Team
from ar_shared.repository import Repository

# A payment counts for the portfolio that held the account on the day it was received (the
# assignment history's one reading, grouping.held_portfolio). Reversed cash (bounced, charged
# back) was never collected.
COLLECTED_BY_PORTFOLIO = text(
    f"""
    SELECT held.portfolio_id, p.currency, sum(p.amount_minor) AS collected_minor
    FROM collections.payments p
    JOIN collections.accounts a ON a.customer_id = p.customer_id
    {held_portfolio("p.received_on")}
    WHERE p.received_on BETWEEN :starts_on AND :ends_on AND p.reversed_on IS NULL
    GROUP BY 1, 2
    """  # noqa: S608 - fixed fragments only
)


class TargetRepository(Repository[CollectionTarget]):
    model = CollectionTarget

    async def put(self, values: dict[str, object]) -> tuple[CollectionTarget, bool]:
        """Adds or replaces the target of the scope, period and currency; True when added."""
        statement = insert(CollectionTarget).values(**values)
        key = ["scope", "scope_key", "period", "currency"]
        returned = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=key,
                set_={k: statement.excluded[k] for k in ("amount_minor", "set_by", "set_at")},
            ).returning(CollectionTarget.id, text("(xmax = 0) AS inserted"))
        )
        target_id, inserted = returned.one()
        row = await self.session.get(CollectionTarget, target_id, populate_existing=True)
        assert row is not None
        return row, bool(inserted)

    async def in_period(self, period: str, scope: str | None = None) -> Sequence[CollectionTarget]:
        query = select(CollectionTarget).where(CollectionTarget.period == period)
        if scope is not None:
            query = query.where(CollectionTarget.scope == scope)
        return (
            await self.session.scalars(query.order_by(CollectionTarget.scope, CollectionTarget.scope_key))
        ).all()

    async def collected_by_portfolio(
        self, starts_on: date, ends_on: date
    ) -> dict[tuple[uuid.UUID | None, str], int]:
        rows = await self.session.execute(
            COLLECTED_BY_PORTFOLIO.bindparams(starts_on=starts_on, ends_on=ends_on)
        )
        return {(r.portfolio_id, r.currency): int(r.collected_minor) for r in rows}

    async def owners(self) -> dict[uuid.UUID, tuple[str, str]]:
        """Each portfolio's (name, collector subject)."""
        rows = await self.session.execute(select(Portfolio.id, Portfolio.name, Portfolio.collector_subject))
        return {r.id: (r.name, r.collector_subject) for r in rows}

    async def collectors(self) -> dict[str, tuple[str, uuid.UUID | None]]:
        """Each collector's (display name, team id)."""
        rows = await self.session.execute(
            select(Collector.subject, Collector.display_name, Collector.team_id)
        )
        return {r.subject: (r.display_name, r.team_id) for r in rows}

    async def teams(self) -> dict[uuid.UUID, str]:
        return {r.id: r.name for r in await self.session.execute(select(Team.id, Team.name))}
