"""SQL for deliveries and contacts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert

from ar_notifications.models import BusinessCalendar, Contact, Delivery
from ar_shared.repository import Repository


class DeliveryRepository(Repository[Delivery]):
    model = Delivery

    async def add_once(self, delivery: Delivery) -> bool:
        """Inserts unless this cause already produced a message to this recipient."""
        values = {
            c.name: getattr(delivery, c.key) for c in Delivery.__table__.columns if c.name != "created_at"
        }
        statement = (
            insert(Delivery)
            .values(**values)
            .on_conflict_do_nothing(constraint="uq_deliveries_cause_recipient")
        )
        result = await self.session.execute(statement.returning(Delivery.id))
        return result.scalar_one_or_none() is not None

    async def due(self, now: datetime, limit: int) -> Sequence[Delivery]:
        """Queued deliveries whose time has come, locked; other dispatchers skip them."""
        query = (
            select(Delivery)
            .where(Delivery.status == "queued", Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def by_cause(self, causing_event_id: uuid.UUID) -> Delivery:
        query = select(Delivery).where(Delivery.causing_event_id == causing_event_id)
        return (await self.session.scalars(query)).one()

    async def by_message_id(self, message_id: str, *, for_update: bool = False) -> Delivery | None:
        return await self._one(Delivery.message_id == message_id, for_update)

    async def _one(self, condition: ColumnElement[bool], for_update: bool) -> Delivery | None:
        query = select(Delivery).where(condition)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def list(
        self, *, limit: int, after_id: uuid.UUID | None, status: str | None, customer_id: uuid.UUID | None,
        template_key: str | None,
    ) -> Sequence[Delivery]:  # fmt: skip
        query = self.select()
        if status is not None:
            query = query.where(Delivery.status == status)
        if customer_id is not None:
            query = query.where(Delivery.customer_id == customer_id)
        if template_key is not None:
            query = query.where(Delivery.template_key == template_key)
        return await self.keyset_page(query, [Delivery.id], None if after_id is None else [after_id], limit)

    async def contact(self, customer_id: uuid.UUID) -> Contact | None:
        return await self.session.get(Contact, customer_id)

    async def date_set_by_hand(self, business_entity: str | None) -> bool:
        """Whether the entity's business date is set by hand (a simulation, a catch-up)."""
        if business_entity is None:
            return False
        calendar = await self.session.get(BusinessCalendar, business_entity)
        return calendar is not None and calendar.mode == "manual"

    async def keep_calendar(
        self, business_entity: str, mode: str, business_date: date, time_zone: str
    ) -> None:
        statement = insert(BusinessCalendar).values(
            business_entity=business_entity, mode=mode, business_date=business_date, time_zone=time_zone
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[BusinessCalendar.business_entity],
                set_={k: statement.excluded[k] for k in ("mode", "business_date", "time_zone")},
                where=BusinessCalendar.business_date <= statement.excluded.business_date,
            )
        )

    async def upsert_contact(self, values: dict[str, object]) -> None:
        statement = insert(Contact).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Contact.customer_id],
                set_={k: statement.excluded[k] for k in values if k != "customer_id"},
            )
        )
