"""SQL for letters: e-mails rendered for a customer, read from the delivery log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement

from ar_notifications.models import Delivery
from ar_shared.repository import Repository


def _is_letter() -> ColumnElement[bool]:
    return (Delivery.channel == "email") & Delivery.customer_id.is_not(None)


class LetterRepository(Repository[Delivery]):
    model = Delivery

    async def page(
        self, *, limit: int, after_id: uuid.UUID | None, customer_id: uuid.UUID | None,
        request_id: uuid.UUID | None, template_key: str | None,
    ) -> Sequence[Delivery]:  # fmt: skip
        query = self.select().where(_is_letter())
        if customer_id is not None:
            query = query.where(Delivery.customer_id == customer_id)
        if request_id is not None:
            query = query.where(Delivery.request_id == request_id)
        if template_key is not None:
            query = query.where(Delivery.template_key == template_key)
        return await self.keyset_page(query, [Delivery.id], None if after_id is None else [after_id], limit)

    async def letter(self, letter_id: uuid.UUID) -> Delivery | None:
        """The delivery when it is a letter (an e-mail rendered for a customer)."""
        letter = await self.get(letter_id)
        return letter if letter is not None and letter.channel == "email" and letter.customer_id else None
