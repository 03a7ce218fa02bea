"""SQL for write-offs."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ar_ledger.models import WriteOff
from ar_shared.repository import Repository


class WriteOffRepository(Repository[WriteOff]):
    model = WriteOff

    async def carrying_out(self, request_id: uuid.UUID) -> WriteOff | None:
        """The write-off done for an approved recommendation, if any."""
        return await self.session.scalar(select(WriteOff).where(WriteOff.request_id == request_id))
