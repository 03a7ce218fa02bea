"""Batch handlers group events of a type, yet no event takes effect before an earlier one of its key."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from ar_shared.consumer import BatchContext, Delivered, EventHandlers, HandlerContext, HandlerFailed
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.outbox import OutboxWriter
from ar_shared.plumbing import add_plumbing_tables


class _Test(EventPayload):
    producer = "test"

    customer_id: uuid.UUID
    seq: int


class Grouped(_Test):
    event_name = "Grouped"


class AlsoGrouped(_Test):
    event_name = "AlsoGrouped"


class OneByOne(_Test):
    event_name = "OneByOne"


KINDS: list[type[_Test]] = [Grouped, AlsoGrouped, OneByOne]
CUSTOMERS = [uuid.UUID(int=n + 1) for n in range(3)]


def handlers_writing_to(applied: list[tuple[uuid.UUID, int]]) -> tuple[EventHandlers, list[list[int]]]:
    """Handlers appending what they apply; the hooks' calls (before: [-1, seqs...], where -1 says
    nothing was applied yet; after: [seqs...]) are in the list returned."""
    handlers = EventHandlers()
    hook_calls: list[list[int]] = []

    @handlers.before_batch
    async def before(_: BatchContext, batch: Sequence[Delivered[Any]]) -> None:
        hook_calls.append([-1 if not applied else len(applied), *(d.payload.seq for d in batch)])

    async def apply_all(_: BatchContext, events: Sequence[Delivered[Any]]) -> None:
        applied.extend((d.payload.customer_id, d.payload.seq) for d in events)

    handlers.on_batch(Grouped)(apply_all)
    handlers.on_batch(AlsoGrouped)(apply_all)

    @handlers.on(OneByOne)
    async def apply_one(_: HandlerContext, event: OneByOne) -> None:
        applied.append((event.customer_id, event.seq))

    @handlers.after_batch
    async def hook(_: BatchContext, handled: Sequence[Delivered[Any]]) -> None:
        hook_calls.append([d.payload.seq for d in handled])

    return handlers, hook_calls


# the handlers here touch no database: the batch's context carries no session
CONTEXT = BatchContext(
    cast(AsyncSession, None), OutboxWriter(add_plumbing_tables(MetaData(schema="t_order")))
)


def batch(events: list[tuple[int, int]]) -> list[Delivered[Any]]:
    delivered = []
    for seq, (kind, customer) in enumerate(events):
        payload = KINDS[kind](customer_id=CUSTOMERS[customer], seq=seq)
        delivered.append(Delivered(CloudEvent.wrap(payload), payload))
    return delivered


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=40))
async def test_no_event_takes_effect_before_an_earlier_event_of_its_customer(
    events: list[tuple[int, int]],
) -> None:
    applied: list[tuple[uuid.UUID, int]] = []
    handlers, hook_calls = handlers_writing_to(applied)
    await handlers.apply(CONTEXT, batch(events))

    assert sorted(seq for _, seq in applied) == list(range(len(events)))  # each once
    for customer in CUSTOMERS:
        mine = [seq for c, seq in applied if c == customer]
        assert mine == sorted(mine)
    # the before-batch hook once, before any handler, with the whole batch; the after-batch hook
    # once, after every handler, in offset order
    assert hook_calls == [[-1, *range(len(events))], list(range(len(events)))]


async def test_a_failing_batch_handler_names_every_event_of_its_group_as_suspect() -> None:
    handlers = EventHandlers()

    @handlers.on_batch(Grouped)
    async def fails(_: BatchContext, events: Sequence[Delivered[Grouped]]) -> None:
        raise RuntimeError("down")

    @handlers.on(OneByOne)
    async def fine(_: HandlerContext, event: OneByOne) -> None:
        return None

    with pytest.raises(HandlerFailed) as failed:
        await handlers.apply(CONTEXT, batch([(2, 0), (0, 1), (2, 2), (0, 2)]))
    assert failed.value.suspects == [1, 3]
    assert isinstance(failed.value.cause, RuntimeError)
