"""SQL of fee documents: found by the charge request they were issued for."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ar_ledger.models import Invoice
from ar_shared.repository import Repository


class ChargeDocumentRepository(Repository[Invoice]):
    model = Invoice

    async def for_request(self, request_id: uuid.UUID) -> Invoice | None:
        query = select(Invoice).where(Invoice.charge_request_id == request_id)
        return (await self.session.scalars(query)).first()
