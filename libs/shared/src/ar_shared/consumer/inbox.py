"""The inbox: which events a consumer group has applied, written set-wise in the batch's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT, INTEGER, TEXT, UUID
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class InboxEntry:
    event_id: uuid.UUID
    event_type: str
    topic: str
    partition: int
    offset: int


class Inbox:
    def __init__(self, table: Table, consumer_group: str) -> None:
        self._group = consumer_group
        # one statement for the whole batch: the rows go in as arrays, the new ids come back
        self._statement = text(
            f"""
            INSERT INTO {table.schema}.{table.name}
                (consumer_group, event_id, event_type, topic, partition, "offset")
            SELECT :group, e.* FROM unnest(:ids, :types, :topics, :partitions, :offsets) AS e
            ON CONFLICT DO NOTHING
            RETURNING event_id
            """  # noqa: S608 - the table name comes from metadata; values are parameters
        ).bindparams(
            bindparam("ids", type_=ARRAY(UUID(as_uuid=True))),
            bindparam("types", type_=ARRAY(TEXT)),
            bindparam("topics", type_=ARRAY(TEXT)),
            bindparam("partitions", type_=ARRAY(INTEGER)),
            bindparam("offsets", type_=ARRAY(BIGINT)),
        )

    async def record(self, session: AsyncSession, entries: Sequence[InboxEntry]) -> list[int]:
        """Records the entries; returns the positions of those seen for the first time.

        An event delivered twice within the batch counts once, at its first position.
        """
        first: dict[uuid.UUID, int] = {}
        for position, entry in enumerate(entries):
            first.setdefault(entry.event_id, position)
        unique = [entries[p] for p in first.values()]
        result = await session.execute(
            self._statement,
            {
                "group": self._group,
                "ids": [e.event_id for e in unique],
                "types": [e.event_type for e in unique],
                "topics": [e.topic for e in unique],
                "partitions": [e.partition for e in unique],
                "offsets": [e.offset for e in unique],
            },
        )
        new = set(result.scalars())
        return [p for event_id, p in first.items() if event_id in new]
