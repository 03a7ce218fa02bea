"""SQL for collectors and teams."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from ar_collections.models import Collector, Team
from ar_shared.repository import Repository


class CollectorRepository(Repository[Collector]):
    model = Collector

    async def page(self, *, limit: int, after: str | None, team_id: uuid.UUID | None) -> Sequence[Collector]:
        query = select(Collector).order_by(Collector.subject).limit(limit)
        if after is not None:
            query = query.where(Collector.subject > after)
        if team_id is not None:
            query = query.where(Collector.team_id == team_id)
        return (await self.session.scalars(query)).all()


class TeamRepository(Repository[Team]):
    model = Team

    async def by_name(self, name: str) -> Team | None:
        return (await self.session.scalars(select(Team).where(Team.name == name))).one_or_none()

    async def managed_by(self, subject: str) -> Sequence[Team]:
        return (await self.session.scalars(select(Team).where(Team.manager_subject == subject))).all()

    async def page(self, *, limit: int, after: tuple[str, uuid.UUID] | None) -> Sequence[Team]:
        query = select(Team).order_by(Team.name, Team.id).limit(limit)
        if after is not None:
            name, last = after
            query = query.where((Team.name > name) | ((Team.name == name) & (Team.id > last)))
        return (await self.session.scalars(query)).all()
