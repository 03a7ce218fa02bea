"""Writes audit records; each subject (entity) has its own hash chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import pydantic_core
from sqlalchemy import Text, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from ar_shared import context
from ar_shared.clock import session_clock
from ar_shared.db import copy_records
from ar_shared.plumbing import PlumbingTables

GENESIS = bytes(32)


class Actor(Protocol):
    @property
    def subject(self) -> str: ...
    @property
    def scopes(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class SystemActor:
    subject: str
    scopes: frozenset[str] = frozenset()


SYSTEM_ACTOR = SystemActor("system")


def to_json(value: Any) -> Any:
    """Plain JSON values (dates, UUIDs and decimals as strings), as JSONB will give them back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))


# what `json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)` builds on each
# call, built once: the same encoder, so the same bytes (the hash chain depends on them)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def canonical_json(value: Any) -> bytes:
    """The bytes a record's hash covers: sorted keys, no spaces, ASCII only (`\\uXXXX` escapes),
    anything JSON lacks as its `str()`."""
    return _CANONICAL.encode(value).encode()


def record_hash(prev_hash: bytes, record: dict[str, Any]) -> bytes:
    return hashlib.sha256(prev_hash + canonical_json(record)).digest()


class _NewChainTemplate:
    """The canonical JSON of a batch's first-in-chain records, whose fields differ only in
    `entity_id` and `after`: the rest is encoded once per batch, and each record's bytes are the
    same as `canonical_json` of its fields (a JSON object with sorted keys is its members' encodings
    joined in key order, so a member's encoding does not depend on the others)."""

    _AFTER, _ENTITY = "\x00after\x00", "\x00entity_id\x00"

    def __init__(self, fields: dict[str, Any]) -> None:
        encoded = _CANONICAL.encode(fields | {"after": self._AFTER, "entity_id": self._ENTITY})
        after, entity = _CANONICAL.encode(self._AFTER), _CANONICAL.encode(self._ENTITY)
        # "after" sorts before "entity_id": head, after, middle, entity id, tail
        head, rest = encoded.split(after)
        middle, tail = rest.split(entity)
        self._head, self._middle, self._tail = head.encode(), middle.encode(), tail.encode()

    def record_hash(self, entity_id: str, after: Any) -> bytes:
        canonical = b"".join(
            (self._head, canonical_json(after), self._middle, canonical_json(entity_id), self._tail)
        )
        return hashlib.sha256(GENESIS + canonical).digest()


def hashed_fields(row: Any) -> dict[str, Any]:
    """The fields a record's hash covers, from a row or a dict of column values."""

    def get(key: str) -> Any:
        return row[key] if isinstance(row, dict) else getattr(row, key)

    occurred: datetime = get("occurred_at")
    return {
        "occurred_at": occurred.astimezone(UTC).isoformat(),
        "actor": get("actor"),
        "scopes": sorted(get("scopes")),
        "action": get("action"),
        "entity_type": get("entity_type"),
        "entity_id": get("entity_id"),
        "before": get("before"),
        "after": get("after"),
        "correlation_id": get("correlation_id"),
        "request_id": get("request_id"),
        "chain_seq": get("chain_seq"),
    }


class AuditLog:
    def __init__(self, tables: PlumbingTables) -> None:
        self._table = tables.audit_log
        self._schema = tables.schema

    async def record(
        self,
        session: AsyncSession,
        *,
        actor: Actor,
        action: str,
        entity_type: str,
        entity_id: str,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Appends one record to the entity's chain, inside the caller's transaction."""
        t = self._table
        # serialises only writers of the same entity; other entities chain in parallel
        lock_key = f"{self._schema}:audit:{entity_type}:{entity_id}"
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(lock_key, 0))))
        last = (
            await session.execute(
                select(t.c.chain_seq, t.c.hash)
                .where(t.c.entity_type == entity_type, t.c.entity_id == entity_id)
                .order_by(t.c.chain_seq.desc())
                .limit(1)
            )
        ).first()
        chain_seq, prev_hash = (last.chain_seq + 1, last.hash) if last else (1, GENESIS)
        ctx = context.current()
        values: dict[str, Any] = {
            "occurred_at": session_clock(session).now(),
            "actor": actor.subject,
            "scopes": sorted(actor.scopes),
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "before": to_json(before),
            "after": to_json(after),
            "correlation_id": ctx.correlation_id,
            "request_id": ctx.request_id,
            "chain_seq": chain_seq,
        }
        values["prev_hash"] = prev_hash
        values["hash"] = record_hash(prev_hash, hashed_fields(values))
        await session.execute(t.insert().values(**values))

    async def record_many(
        self,
        session: AsyncSession,
        *,
        actor: Actor,
        action: str,
        entity_type: str,
        entries: list[tuple[str, Any]],
    ) -> None:
        """Appends one record per (entity id, after) to each entity's chain, in order, in three
        statements whatever their number (a batch job's thousands): the entities' locks taken in
        one (sorted, so two batches never deadlock), their last links read in one, every record
        written in one. Chains as `record` writes them, one after another."""
        if not entries:
            return
        t = self._table
        ids = sorted({entity_id for entity_id, _ in entries})
        keys = [f"{self._schema}:audit:{entity_type}:{entity_id}" for entity_id in ids]
        key = func.unnest(literal(keys, ARRAY(Text))).column_valued("k")
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))).order_by(key))
        last = {
            row.entity_id: (row.chain_seq, row.hash)
            for row in await session.execute(
                select(t.c.entity_id, t.c.chain_seq, t.c.hash)
                .ext(distinct_on(t.c.entity_id))
                .where(t.c.entity_type == entity_type, t.c.entity_id.in_(ids))
                .order_by(t.c.entity_id, t.c.chain_seq.desc())
            )
        }
        ctx = context.current()
        now = session_clock(session).now()
        rows: list[dict[str, Any]] = []
        for entity_id, after in entries:
            seq, prev_hash = last.get(entity_id, (0, GENESIS))
            values: dict[str, Any] = {
                "occurred_at": now, "actor": actor.subject, "scopes": sorted(actor.scopes),
                "action": action, "entity_type": entity_type, "entity_id": entity_id, "before": None,
                "after": to_json(after), "correlation_id": ctx.correlation_id,
                "request_id": ctx.request_id, "chain_seq": seq + 1,
            }  # fmt: skip
            values["prev_hash"] = prev_hash
            values["hash"] = record_hash(prev_hash, hashed_fields(values))
            last[entity_id] = (seq + 1, values["hash"])
            rows.append(values)
        await session.execute(t.insert(), rows)

    COLUMNS = (
        "occurred_at", "actor", "scopes", "action", "entity_type", "entity_id", "before", "after",
        "correlation_id", "request_id", "chain_seq", "prev_hash", "hash",
    )  # fmt: skip

    def created_records(
        self,
        *,
        actor: Actor,
        action: str,
        entity_type: str,
        entities: list[tuple[str, Any]],
        now: datetime,
    ) -> list[tuple[object, ...]]:
        """One record per newly created entity, in `COLUMNS` order (JSON as text), for COPY or a
        statement of the caller's own. Each entity is new, so it starts its own chain: no lock or
        lookup is needed.

        `after` must already be plain JSON values (e.g. `model_dump(mode="json")`): it is
        hashed and stored as given.
        """
        return list(
            self.iter_created_records(
                actor=actor, action=action, entity_type=entity_type, entities=entities, now=now
            )
        )

    def iter_created_records(
        self,
        *,
        actor: Actor,
        action: str,
        entity_type: str,
        entities: Iterable[tuple[str, Any]],
        now: datetime,
    ) -> Iterator[tuple[object, ...]]:
        """`created_records` one at a time, as COPY consumes them: each record is hashed while
        PostgreSQL stores the ones sent before it."""
        ctx = context.current()
        scopes = sorted(actor.scopes)
        template = _NewChainTemplate(
            {
                "occurred_at": now.isoformat(),
                "actor": actor.subject,
                "scopes": scopes,
                "action": action,
                "entity_type": entity_type,
                "before": None,
                "correlation_id": ctx.correlation_id,
                "request_id": ctx.request_id,
                "chain_seq": 1,
            }
        )
        for entity_id, after in entities:
            yield (
                now, actor.subject, scopes, action, entity_type, entity_id, None,
                pydantic_core.to_json(after).decode(), ctx.correlation_id, ctx.request_id, 1,
                GENESIS, template.record_hash(entity_id, after),
            )  # fmt: skip

    async def record_created(
        self,
        session: AsyncSession,
        *,
        actor: Actor,
        action: str,
        entity_type: str,
        entities: Collection[tuple[str, Any]],
    ) -> None:
        """`created_records` written with COPY (bulk imports write thousands at once), each
        record made as COPY sends it."""
        if entities:
            records = self.iter_created_records(
                actor=actor,
                action=action,
                entity_type=entity_type,
                entities=entities,
                now=session_clock(session).now(),
            )
            await copy_records(session, self._table, self.COLUMNS, records)
