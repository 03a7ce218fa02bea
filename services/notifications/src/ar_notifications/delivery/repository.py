"""SQL for deliveries and contacts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import InstrumentedAttribute

from ar_notifications.models import BusinessCalendar, Contact, Delivery
from ar_shared.repository import Repository


@dataclass(frozen=True)
class DeliveryFilter:
    """What the delivery log can be narrowed to (None: any)."""

    business_entity: str | None = None
    customer_id: uuid.UUID | None = None
    template_key: str | None = None
    channel: str | None = None
    status: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    recipient: str | None = None


class DeliveryRepository(Repository[Delivery]):
    model = Delivery

    async def add_once(self, delivery: Delivery) -> bool:
        """Inserts unless this cause already produced a message to this recipient (`created_at`:
        the caller's clock when it gives one, else the database's)."""
        values = {
            c.name: getattr(delivery, c.key)
            for c in Delivery.__table__.columns
            if c.name != "created_at" or delivery.created_at is not None
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

    async def log(
        self, where: DeliveryFilter, *, limit: int, after: tuple[datetime, uuid.UUID] | None
    ) -> Sequence[Delivery]:
        """Newest first, keyset-paged on (created_at, id) (`ix_deliveries_entity_created` serves an
        entity's log, `ix_deliveries_created` the whole)."""
        query = self.select()
        equal: list[tuple[ColumnElement[Any] | InstrumentedAttribute[Any], object]] = [
            (Delivery.business_entity, where.business_entity), (Delivery.customer_id, where.customer_id),
            (Delivery.template_key, where.template_key), (Delivery.channel, where.channel),
            (Delivery.status, where.status),
        ]  # fmt: skip
        for column, value in equal:
            if value is not None:
                query = query.where(column == value)
        if where.created_from is not None:
            query = query.where(Delivery.created_at >= where.created_from)
        if where.created_to is not None:
            query = query.where(Delivery.created_at <= where.created_to)
        if where.recipient is not None:
            # e-mail addresses are kept lower-cased; a webhook URL as given
            query = query.where(func.lower(Delivery.recipient) == where.recipient.strip().lower())
        return await self.keyset_page(
            query, [Delivery.created_at, Delivery.id], after, limit, newest_first=True
        )

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
