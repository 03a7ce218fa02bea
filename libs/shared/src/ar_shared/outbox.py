"""Writes events into the service's outbox table inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import to_json
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_shared import context
from ar_shared.clock import session_clock
from ar_shared.db import copy_records
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.plumbing import PlumbingTables


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One event as its outbox row (`row()`, in `OutboxWriter.COLUMNS` order), and its payload's
    JSON values (`data`) for an audit record that quotes it."""

    event_id: uuid.UUID
    event_type: str
    topic: str
    message_key: str
    envelope: str
    data: dict[str, Any]

    def row(self) -> tuple[object, ...]:
        return (self.event_id, self.event_type, self.topic, self.message_key, self.envelope)


class OutboxWriter:
    """Adds events to the outbox; the relay publishes them once the transaction commits.

    Correlation, causation and trace ids default to those of the request or message being
    handled, so a chain of events across services can be followed end to end.
    """

    COLUMNS = ("event_id", "event_type", "topic", "message_key", "envelope")

    def __init__(self, tables: PlumbingTables) -> None:
        self._outbox = tables.outbox

    def records(self, payloads: list[EventPayload], time: datetime) -> list[OutboxRecord]:
        """The events as outbox rows (the envelope as JSON text), for COPY or a statement of the
        caller's own that writes the event with the change in one round trip.

        The envelope is the one `CloudEvent` renders (a test holds them equal), written without
        building the model: bulk operations write 10,000 of them per request.
        """
        ctx = context.current()
        extensions = {
            k: v
            for k, v in (
                ("correlationid", ctx.correlation_id),
                ("causationid", ctx.causation_id),
                ("traceparent", ctx.traceparent),
            )
            if v is not None
        }
        records = []
        for payload in payloads:
            event_id, data = uuid.uuid4(), payload.model_dump(mode="json")
            event_type, subject = payload.event_type(), payload.subject()
            envelope: dict[str, object] = {
                "specversion": "1.0",
                "id": str(event_id),
                "type": event_type,
                "source": f"/ar/{payload.producer}",
                "subject": subject,
                "time": time,
                "datacontenttype": "application/json",
                "data": data,
                **extensions,
            }
            records.append(
                OutboxRecord(
                    event_id,
                    event_type,
                    payload.topic(),
                    subject,
                    to_json(envelope).decode(),
                    data,
                )
            )
        return records

    async def add(
        self,
        session: AsyncSession,
        payload: EventPayload,
        *,
        event_id: uuid.UUID | None = None,
        time: datetime | None = None,
    ) -> CloudEvent:
        return (await self.add_many(session, [payload], event_ids=[event_id], time=time))[0]

    def _wrap(
        self,
        payloads: list[EventPayload],
        event_ids: list[uuid.UUID | None] | None = None,
        time: datetime | None = None,
    ) -> list[CloudEvent]:
        ctx = context.current()
        return [
            CloudEvent.wrap(
                p,
                event_id=event_id,
                time=time,
                correlation_id=ctx.correlation_id,
                causation_id=ctx.causation_id,
                traceparent=ctx.traceparent,
            )
            for p, event_id in zip(payloads, event_ids or [None] * len(payloads), strict=True)
        ]

    async def copy_many(self, session: AsyncSession, payloads: list[EventPayload]) -> list[OutboxRecord]:
        """Like `add_many`, with COPY: for bulk operations emitting thousands of events."""
        records = self.records(payloads, session_clock(session).now())
        await copy_records(session, self._outbox, self.COLUMNS, [r.row() for r in records])
        return records

    async def add_many(
        self,
        session: AsyncSession,
        payloads: list[EventPayload],
        *,
        event_ids: list[uuid.UUID | None] | None = None,
        time: datetime | None = None,
    ) -> list[CloudEvent]:
        if not payloads:
            return []
        events = self._wrap(payloads, event_ids, time or session_clock(session).now())
        rows = [
            {
                "event_id": e.id,
                "event_type": e.type,
                "topic": p.topic(),
                "message_key": e.subject,
                "envelope": e.model_dump(mode="json", exclude_none=True),
            }
            for p, e in zip(payloads, events, strict=True)
        ]
        # one multi-row INSERT: bulk operations emit thousands of events in one statement
        await session.execute(insert(self._outbox), rows)
        return events
