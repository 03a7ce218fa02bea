"""SQL for templates."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from ar_notifications.models import Template
from ar_shared.repository import Repository


class TemplateRepository(Repository[Template]):
    model = Template

    async def latest(self, key: str, locale: str) -> Template | None:
        query = (
            select(Template)
            .where(Template.key == key, Template.locale == locale)
            .order_by(Template.version.desc())
            .limit(1)
        )
        return (await self.session.scalars(query)).first()

    async def next_version(self, key: str, locale: str) -> int:
        query = select(func.coalesce(func.max(Template.version), 0)).where(
            Template.key == key, Template.locale == locale
        )
        return int(await self.session.scalar(query) or 0) + 1

    async def all_latest(self) -> Sequence[Template]:
        latest = (
            select(Template.key, Template.locale, func.max(Template.version).label("version"))
            .group_by(Template.key, Template.locale)
            .subquery()
        )
        query = (
            select(Template)
            .join(
                latest,
                (Template.key == latest.c.key)
                & (Template.locale == latest.c.locale)
                & (Template.version == latest.c.version),
            )
            .order_by(Template.key, Template.locale)
        )
        return (await self.session.scalars(query)).all()
