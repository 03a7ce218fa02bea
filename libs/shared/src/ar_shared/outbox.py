"""Writes events into the service's outbox table inside the caller's transaction."""

from __future__ import annotations

import functools
import types
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import PlainSerializer, TypeAdapter, WrapSerializer
from pydantic_core import to_json, to_jsonable_python
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Integer,
    Select,
    Text,
    Uuid,
    cast,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy import union_all as union_all_of
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

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

    def records(self, payloads: Iterable[EventPayload], time: datetime) -> list[OutboxRecord]:
        """The events as outbox rows (the envelope as JSON text), for COPY or a statement of the
        caller's own that writes the event with the change in one round trip.

        The envelope is the one `CloudEvent` renders (a test holds them equal), written without
        building the model: bulk operations write 10,000 of them per request.
        """
        return list(self.iter_records(payloads, time))

    def iter_records(self, payloads: Iterable[EventPayload], time: datetime) -> Iterator[OutboxRecord]:
        """`records` one at a time, as COPY consumes them."""
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
        # type, topic and source are the class's: worked out once per class, not per event
        by_class: dict[type[EventPayload], tuple[str, str, str]] = {}
        for payload in payloads:
            cls = type(payload)
            named = by_class.get(cls)
            if named is None:
                named = by_class[cls] = (cls.event_type(), cls.topic(), f"/ar/{cls.producer}")
            event_type, topic, source = named
            event_id, data, subject = uuid.uuid4(), payload.model_dump(mode="json"), payload.subject()
            envelope: dict[str, object] = {
                "specversion": "1.0",
                "id": str(event_id),
                "type": event_type,
                "source": source,
                "subject": subject,
                "time": time,
                "datacontenttype": "application/json",
                "data": data,
                **extensions,
            }
            yield OutboxRecord(event_id, event_type, topic, subject, to_json(envelope).decode(), data)

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

    async def copy_many(self, session: AsyncSession, payloads: Iterable[EventPayload]) -> list[OutboxRecord]:
        """Like `add_many`, with COPY: for bulk operations emitting thousands of events. Each
        envelope is rendered as COPY sends it (PostgreSQL stores the ones before meanwhile)."""
        records: list[OutboxRecord] = []
        time = session_clock(session).now()

        def rows() -> Iterator[tuple[object, ...]]:
            for record in self.iter_records(payloads, time):
                records.append(record)
                yield record.row()

        await copy_records(session, self._outbox, self.COLUMNS, rows())
        return records

    async def insert_many(self, session: AsyncSession, payloads: list[EventPayload]) -> list[uuid.UUID]:
        """Like `copy_many`, without rendering an envelope in Python: one statement whose rows
        PostgreSQL builds from one array per payload field (`jsonb_build_object`, the SQL generated
        from the payload models), in the payloads' order; the events' ids. For bulk paths emitting
        hundreds of events per transaction; the rows are those `records` gives (a test holds them
        equal)."""
        if not payloads:
            return []
        event_ids = [uuid.uuid4() for _ in payloads]
        by_class: dict[type[EventPayload], list[int]] = {}
        for n, payload in enumerate(payloads):
            by_class.setdefault(type(payload), []).append(n)
        rows = union_all_of(
            *(_rows_of(cls, [(n, event_ids[n], payloads[n]) for n in ns]) for cls, ns in by_class.items())
        ).subquery("events")
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
        envelope = func.jsonb_build_object(
            "specversion", "1.0",
            "id", cast(rows.c.event_id, Text),
            "type", rows.c.event_type,
            "source", rows.c.source,
            "subject", rows.c.message_key,
            "time", literal(to_jsonable_python(session_clock(session).now()), Text),
            "datacontenttype", "application/json",
            "data", rows.c.data,
        ).op("||")(literal(to_json(extensions).decode(), Text).cast(JSONB))  # fmt: skip
        query = select(
            rows.c.event_id, rows.c.event_type, rows.c.topic, rows.c.message_key, envelope
        ).order_by(rows.c.ord)
        await session.execute(insert(self._outbox).from_select(list(self.COLUMNS), query))
        return event_ids

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


def _sql_type(annotation: Any) -> TypeEngine[Any] | None:
    """The column type a payload field's values are bound as (their JSON in `jsonb_build_object`
    is then what pydantic's JSON mode gives: UUIDs and dates as strings); None: bound as JSON text."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        present = [a for a in get_args(annotation) if a is not type(None)]
        return _sql_type(present[0]) if len(present) == 1 else None
    if origin is Literal:
        return Text() if all(isinstance(v, str) for v in get_args(annotation)) else None
    scalar: dict[Any, TypeEngine[Any]] = {
        uuid.UUID: Uuid(),
        str: Text(),
        bool: Boolean(),
        int: BigInteger(),
        date: Date(),
    }
    return scalar.get(annotation)


@functools.cache
def _field_kinds(cls: type[EventPayload]) -> dict[str, TypeEngine[Any] | TypeAdapter[Any]]:
    """How each field of a payload class is bound: as a column type, or as JSON text its own
    adapter renders (its annotation with its metadata: what the model's JSON mode gives)."""
    decorators = cls.__pydantic_decorators__
    if decorators.field_serializers or decorators.model_serializers:
        raise TypeError(f"{cls.__name__} serializes itself: its JSON is not built in SQL")
    kinds: dict[str, TypeEngine[Any] | TypeAdapter[Any]] = {}
    for name, info in cls.model_fields.items():
        custom = any(isinstance(m, PlainSerializer | WrapSerializer) for m in info.metadata)
        kind = None if custom else _sql_type(info.annotation)
        annotated: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        kinds[name] = kind if kind is not None else TypeAdapter[Any](annotated)
    return kinds


def _rows_of(cls: type[EventPayload], events: list[tuple[int, uuid.UUID, EventPayload]]) -> Select[Any]:
    """One payload class's events as rows: their order, id, type, topic, source, key and data."""
    names = list(cls.model_fields)
    kinds = _field_kinds(cls)
    arrays = [
        literal([n for n, _, _ in events], ARRAY(Integer)),
        literal([i for _, i, _ in events], ARRAY(Uuid)),
    ]
    for name in names:
        values = [getattr(p, name) for _, _, p in events]
        kind = kinds[name]
        if isinstance(kind, TypeAdapter):
            arrays.append(literal([kind.dump_json(v).decode() for v in values], ARRAY(Text)))
        else:
            arrays.append(literal(values, ARRAY(kind)))
    columns = ["ord", "event_id", *(f"f_{n}" for n in names)]
    rows = func.unnest(*arrays).table_valued(*columns).render_derived(name=f"e_{cls.event_name}")
    fields: list[Any] = []
    for name in names:
        column = rows.c[f"f_{name}"]
        fields += [name, cast(column, JSONB) if isinstance(kinds[name], TypeAdapter) else column]
    return select(
        rows.c.ord,
        rows.c.event_id,
        literal(cls.event_type(), Text).label("event_type"),
        literal(cls.topic(), Text).label("topic"),
        literal(f"/ar/{cls.producer}", Text).label("source"),
        cast(rows.c[f"f_{cls.subject_field}"], Text).label("message_key"),
        func.jsonb_build_object(*fields).label("data"),
    )
