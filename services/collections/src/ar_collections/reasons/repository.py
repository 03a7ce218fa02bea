"""SQL for reason codes and the reasons on items."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from ar_collections.models import ItemReason, ItemReasonHistory, OpenItem, ReasonCode
from ar_shared.repository import Repository


class ReasonCodeRepository(Repository[ReasonCode]):
    model = ReasonCode

    async def all(self) -> Sequence[ReasonCode]:
        return (await self.session.scalars(select(ReasonCode).order_by(ReasonCode.code))).all()


class ItemReasonRepository(Repository[ItemReason]):
    model = ItemReason

    async def items(self, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, OpenItem]:
        """The items (of any account the caller may see), by invoice id."""
        rows = (
            await self.session.scalars(select(OpenItem).where(OpenItem.invoice_id.in_(invoice_ids)))
        ).all()
        return {r.invoice_id: r for r in rows}

    async def current(self, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ItemReason]:
        query = select(ItemReason).where(ItemReason.invoice_id.in_(invoice_ids)).with_for_update()
        return {r.invoice_id: r for r in (await self.session.scalars(query)).all()}

    async def for_account(self, customer_id: uuid.UUID) -> dict[uuid.UUID, ItemReason]:
        rows = (
            await self.session.scalars(select(ItemReason).where(ItemReason.customer_id == customer_id))
        ).all()
        return {r.invoice_id: r for r in rows}

    async def put(self, values: dict[str, object]) -> None:
        statement = insert(ItemReason).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[ItemReason.invoice_id],
                set_={k: statement.excluded[k] for k in values if k != "invoice_id"},
            )
        )

    async def clear(self, invoice_id: uuid.UUID) -> None:
        await self.session.execute(delete(ItemReason).where(ItemReason.invoice_id == invoice_id))

    async def record(self, change: ItemReasonHistory) -> None:
        self.session.add(change)

    async def history(
        self, customer_id: uuid.UUID, *, limit: int, before: int | None
    ) -> Sequence[ItemReasonHistory]:
        query = (
            select(ItemReasonHistory)
            .where(ItemReasonHistory.customer_id == customer_id)
            .order_by(ItemReasonHistory.id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(ItemReasonHistory.id < before)
        return (await self.session.scalars(query)).all()
