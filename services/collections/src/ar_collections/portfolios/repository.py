"""SQL for portfolios, assignment rules and the assignment history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select

from ar_collections.models import AssignmentHistory, AssignmentRule, Portfolio, PortfolioHistory
from ar_shared.repository import Repository


class PortfolioRepository(Repository[Portfolio]):
    model = Portfolio

    async def by_name(self, name: str) -> Portfolio | None:
        return (await self.session.scalars(select(Portfolio).where(Portfolio.name == name))).one_or_none()

    async def owned_by(self, subject: str) -> Sequence[Portfolio]:
        query = select(Portfolio).where(Portfolio.collector_subject == subject).order_by(Portfolio.name)
        return (await self.session.scalars(query)).all()

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Portfolio]:
        rows = (await self.session.scalars(select(Portfolio).where(Portfolio.id.in_(ids)))).all()
        return {p.id: p for p in rows}

    async def page(
        self, *, limit: int, after: tuple[str, uuid.UUID] | None, collector: str | None
    ) -> Sequence[Portfolio]:
        query = select(Portfolio).order_by(Portfolio.name, Portfolio.id).limit(limit)
        if after is not None:
            name, last = after
            query = query.where((Portfolio.name > name) | ((Portfolio.name == name) & (Portfolio.id > last)))
        if collector is not None:
            query = query.where(
                (Portfolio.collector_subject == collector) | (Portfolio.backup_subject == collector)
            )
        return (await self.session.scalars(query)).all()

    async def record_owner(self, history: PortfolioHistory) -> None:
        self.session.add(history)
        await self.session.flush()


class RuleRepository(Repository[AssignmentRule]):
    model = AssignmentRule

    async def all(self) -> Sequence[AssignmentRule]:
        query = select(AssignmentRule).order_by(AssignmentRule.priority, AssignmentRule.id)
        return (await self.session.scalars(query)).all()

    async def remove(self, rule_id: uuid.UUID) -> None:
        await self.session.execute(delete(AssignmentRule).where(AssignmentRule.id == rule_id))


class AssignmentHistoryRepository(Repository[AssignmentHistory]):
    model = AssignmentHistory

    async def for_account(
        self, customer_id: uuid.UUID, *, limit: int, before: int | None
    ) -> Sequence[AssignmentHistory]:
        query = (
            select(AssignmentHistory)
            .where(AssignmentHistory.customer_id == customer_id)
            .order_by(AssignmentHistory.id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(AssignmentHistory.id < before)
        return (await self.session.scalars(query)).all()
