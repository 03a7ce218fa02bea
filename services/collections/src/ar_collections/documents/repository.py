"""SQL for evidence documents (listings never read the bytes, nor show deleted documents)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import undefer

from ar_collections.models import Activity, DisputeCase, Document, PaymentPlan, PromiseToPay
from ar_shared.repository import Repository

_OWNERS: dict[str, type[DisputeCase | PromiseToPay | PaymentPlan | Activity]] = {
    "dispute": DisputeCase,
    "promise": PromiseToPay,
    "plan": PaymentPlan,
    "activity": Activity,
}


class DocumentRepository(Repository[Document]):
    model = Document

    async def owner_account(self, owner_kind: str, owner_id: uuid.UUID) -> uuid.UUID | None:
        """The account of the case, promise, plan or activity (if the caller may see it)."""
        model = _OWNERS[owner_kind]
        return await self.session.scalar(select(model.customer_id).where(model.id == owner_id))

    async def owner_status(self, owner_kind: str, owner_id: uuid.UUID) -> str | None:
        """The status of the case, promise or plan (None: an activity, which has none), locked
        so that it does not close while a document of it is withdrawn."""
        model: type[DisputeCase | PromiseToPay | PaymentPlan]
        if owner_kind == "dispute":
            model = DisputeCase
        elif owner_kind == "promise":
            model = PromiseToPay
        elif owner_kind == "plan":
            model = PaymentPlan
        else:
            return None
        query = select(model.status).where(model.id == owner_id).with_for_update()
        return await self.session.scalar(query)

    async def with_content(self, document_id: uuid.UUID) -> Document | None:
        query = select(Document).where(Document.id == document_id).options(undefer(Document.content))
        return await self.session.scalar(query)

    async def of_account(
        self,
        customer_id: uuid.UUID,
        *,
        owner_kind: str | None,
        owner_id: uuid.UUID | None,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> Sequence[Document]:
        query = self.select().where(Document.customer_id == customer_id, Document.deleted_at.is_(None))
        if owner_kind is not None:
            query = query.where(Document.owner_kind == owner_kind)
        if owner_id is not None:
            query = query.where(Document.owner_id == owner_id)
        return await self.keyset_page(query, [Document.uploaded_at, Document.id], after, limit)

    async def ids_of_owner(self, owner_kind: str, owner_id: uuid.UUID) -> list[uuid.UUID]:
        query = (
            select(Document.id)
            .where(
                Document.owner_kind == owner_kind,
                Document.owner_id == owner_id,
                Document.deleted_at.is_(None),
            )
            .order_by(Document.uploaded_at, Document.id)
        )
        return list((await self.session.scalars(query)).all())
