"""SQL for dispute and deduction cases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ar_collections.models import DisputeCase, DisputeHistory, DisputeItem, OpenItem
from ar_shared.repository import Repository


class DisputeRepository(Repository[DisputeCase]):
    model = DisputeCase

    async def items(self, case_id: uuid.UUID, *, lock: bool = False) -> list[DisputeItem]:
        query = select(DisputeItem).where(DisputeItem.case_id == case_id).order_by(DisputeItem.id)
        if lock:
            query = query.with_for_update()
        return list((await self.session.scalars(query)).all())

    async def history(self, case_id: uuid.UUID) -> list[DisputeHistory]:
        query = select(DisputeHistory).where(DisputeHistory.case_id == case_id).order_by(DisputeHistory.id)
        return list((await self.session.scalars(query)).all())

    async def add_history(self, entry: DisputeHistory) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def add_item(self, item: DisputeItem) -> DisputeItem:
        self.session.add(item)
        await self.session.flush()
        return item

    async def disputed_invoices(self, invoice_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Those of the invoices in a case not closed yet."""
        query = (
            select(DisputeItem.invoice_id)
            .join(DisputeCase, DisputeCase.id == DisputeItem.case_id)
            .where(DisputeItem.invoice_id.in_(invoice_ids), DisputeCase.closed_on.is_(None))
        )
        return set((await self.session.scalars(query)).all())

    async def lock_items(self, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, OpenItem]:
        """The open items (those the caller may see), locked in id order."""
        query = (
            select(OpenItem)
            .where(OpenItem.invoice_id.in_(sorted(set(invoice_ids))))
            .order_by(OpenItem.invoice_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {item.invoice_id: item for item in (await self.session.scalars(query)).all()}

    async def open_items(self, items: Sequence[DisputeItem]) -> Sequence[OpenItem]:
        """The projected invoices of these case items (for their numbers)."""
        if not items:
            return []
        return (
            await self.session.scalars(
                select(OpenItem).where(OpenItem.invoice_id.in_([i.invoice_id for i in items]))
            )
        ).all()

    async def item_answered_by(self, request_id: uuid.UUID) -> DisputeItem | None:
        """The item whose credit memo request this is, locked."""
        query = select(DisputeItem).where(DisputeItem.credit_request_id == request_id).with_for_update()
        return await self.session.scalar(query)

    async def of_account(
        self, customer_id: uuid.UUID, *, open_only: bool, limit: int, after: tuple[date, uuid.UUID] | None
    ) -> Sequence[DisputeCase]:
        query = self.select().where(DisputeCase.customer_id == customer_id)
        if open_only:
            query = query.where(DisputeCase.closed_on.is_(None))
        return await self.keyset_page(query, [DisputeCase.opened_on, DisputeCase.id], after, limit)

    async def open_of_account(
        self, customer_id: uuid.UUID
    ) -> Sequence[tuple[DisputeCase, int, list[uuid.UUID]]]:
        """The account's cases not closed yet, oldest first, with their disputed totals and invoices."""
        query = (
            select(
                DisputeCase,
                func.sum(DisputeItem.amount_minor),
                func.array_agg(aggregate_order_by(DisputeItem.invoice_id, DisputeItem.invoice_id)),
            )
            .join(DisputeItem, DisputeItem.case_id == DisputeCase.id)
            .where(DisputeCase.customer_id == customer_id, DisputeCase.closed_on.is_(None))
            .group_by(DisputeCase.id)
            .order_by(DisputeCase.opened_on, DisputeCase.id)
        )
        return [
            (case, int(total), list(invoices))
            for case, total, invoices in (await self.session.execute(query)).all()
        ]

    async def opened_between(
        self, start: date, end: date, kind: str | None
    ) -> Sequence[tuple[DisputeCase, int]]:
        """The cases opened in [start, end] with their disputed totals."""
        total = (
            select(func.coalesce(func.sum(DisputeItem.amount_minor), 0))
            .where(DisputeItem.case_id == DisputeCase.id)
            .scalar_subquery()
        )
        query = (
            select(DisputeCase, total)
            .where(DisputeCase.opened_on >= start, DisputeCase.opened_on <= end)
            .order_by(DisputeCase.opened_on, DisputeCase.id)
        )
        if kind is not None:
            query = query.where(DisputeCase.kind == kind)
        return [(case, int(amount)) for case, amount in (await self.session.execute(query)).all()]
