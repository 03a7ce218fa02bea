"""SQL for do-not-contact."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from ar_collections.models import DoNotContact
from ar_shared.repository import Repository


class DoNotContactRepository(Repository[DoNotContact]):
    model = DoNotContact

    async def current(self, customer_id: uuid.UUID, *, lock: bool = False) -> DoNotContact | None:
        """The one not lifted (its end date may have passed)."""
        query = select(DoNotContact).where(
            DoNotContact.customer_id == customer_id, DoNotContact.lifted_at.is_(None)
        )
        if lock:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def not_lifted(self, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DoNotContact]:
        query = select(DoNotContact).where(
            DoNotContact.customer_id.in_(customer_ids), DoNotContact.lifted_at.is_(None)
        )
        return {r.customer_id: r for r in (await self.session.scalars(query)).all()}
