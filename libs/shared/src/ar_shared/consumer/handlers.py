"""The handlers a consumer runs, and how they run over a batch: in order per key, hot types set-wise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from ar_shared import context
from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.outbox import OutboxWriter

P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class HandlerContext:
    """What a handler gets besides its payload: the transaction and the incoming envelope."""

    session: AsyncSession
    event: CloudEvent
    outbox: OutboxWriter
    clock: Clock = SYSTEM_CLOCK


@dataclass(frozen=True)
class BatchContext:
    """What a batch handler and an after-batch hook get: the batch's one transaction."""

    session: AsyncSession
    outbox: OutboxWriter
    clock: Clock = SYSTEM_CLOCK


@dataclass(frozen=True, slots=True)
class Delivered(Generic[P]):
    """One event of a batch: its envelope and its validated payload."""

    event: CloudEvent
    payload: P

    @property
    def subject(self) -> str:
        return self.event.subject

    def traced(self) -> AbstractContextManager[context.TraceContext]:
        """Binds this event's correlation, causation and trace: events written inside follow from it.

        Per-event handlers run inside it; a batch handler or hook that writes an event because of
        one delivered event binds it itself.
        """
        event = self.event
        return context.bind(
            correlation_id=event.correlationid or str(event.id),
            causation_id=str(event.id),
            traceparent=context.new_traceparent(event.traceparent),
            request_id=None,
        )


Handler = Callable[[HandlerContext, P], Awaitable[None]]
BatchHandler = Callable[[BatchContext, Sequence[Delivered[P]]], Awaitable[None]]
# called once per batch with every event the batch handled, in order (group them by subject)
AfterBatch = Callable[[BatchContext, Sequence[Delivered[Any]]], Awaitable[None]]
# called once per batch before any handler, with every event it is about to handle (e.g. to lock
# the rows its handlers will change in a stable order)
BeforeBatch = AfterBatch


class PoisonMessage(Exception):
    """Raised by a handler for input that can never succeed: dead-lettered without retries."""


class HandlerFailed(Exception):
    """A handler (or hook) failed inside a batch; `suspects` are the positions it may be due to."""

    def __init__(self, cause: BaseException, suspects: Sequence[int]) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.suspects = list(suspects)


@dataclass(frozen=True)
class _Registration(Generic[P]):
    model: type[P]
    # per event; for a batch registration, the batch handler given a batch of one
    handler: Handler[P]
    batch_handler: BatchHandler[P] | None = None


@dataclass
class _Group:
    """Pending events of one batch-handled type, run together when the order of a key needs it."""

    registration: _Registration[Any]
    positions: list[int] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)


class EventHandlers:
    """Handlers registered per event type.

    ``@handlers.on(InvoiceVoided)`` runs once per event. ``@handlers.on_batch(InvoiceIssued)``
    runs once for all such events of a batch (so a thousand invoices become a few statements).
    ``@handlers.after_batch`` runs once per batch after every handler, with every event handled
    (e.g. each customer's state re-evaluated once, however many of its events the batch held).
    ``@handlers.before_batch`` runs once per batch before any handler (e.g. to take the batch's
    row locks in a stable order).
    """

    def __init__(self) -> None:
        self._by_type: dict[str, _Registration[Any]] = {}
        self._after_batch: list[AfterBatch] = []
        self._before_batch: list[BeforeBatch] = []

    def on(self, model: type[P]) -> Callable[[Handler[P]], Handler[P]]:
        def decorate(handler: Handler[P]) -> Handler[P]:
            self._register(_Registration(model, handler))
            return handler

        return decorate

    def on_batch(self, model: type[P]) -> Callable[[BatchHandler[P]], BatchHandler[P]]:
        def decorate(batch_handler: BatchHandler[P]) -> BatchHandler[P]:
            async def one(ctx: HandlerContext, payload: P) -> None:
                await batch_handler(
                    BatchContext(ctx.session, ctx.outbox, ctx.clock), [Delivered(ctx.event, payload)]
                )

            self._register(_Registration(model, one, batch_handler))
            return batch_handler

        return decorate

    def before_batch(self, hook: BeforeBatch) -> BeforeBatch:
        self._before_batch.append(hook)
        return hook

    def after_batch(self, hook: AfterBatch) -> AfterBatch:
        self._after_batch.append(hook)
        return hook

    def _register(self, registration: _Registration[Any]) -> None:
        key = registration.model.event_type()
        if key in self._by_type:
            raise ValueError(f"a handler for {key} is already registered")
        self._by_type[key] = registration

    def get(self, event_type: str) -> _Registration[Any] | None:
        return self._by_type.get(event_type)

    def topics(self) -> list[str]:
        return sorted({reg.model.topic() for reg in self._by_type.values()})

    async def handle(self, ctx: HandlerContext, payload: EventPayload) -> None:
        """Applies one event as the runner applies a batch of one, in the caller's transaction
        and without the inbox: its handler, then the after-batch hooks (tests, replays)."""
        try:
            await self.apply(
                BatchContext(ctx.session, ctx.outbox, ctx.clock), [Delivered(ctx.event, payload)]
            )
        except HandlerFailed as failure:
            raise failure.cause from None

    async def apply(self, ctx: BatchContext, delivered: Sequence[Delivered[Any]]) -> None:
        """Runs the before-batch hooks, the handlers for `delivered` (in offset order), then the
        after-batch hooks.

        Each key's events take effect in their order. A per-event handler runs at its event's
        turn; events of a batch-handled type wait in a group, which runs when another event of
        one of its keys comes (or at the end). A key is in at most one waiting group, so no
        event overtakes an earlier one of its key; only events of different keys, which Kafka
        never orders either, change places. Raises `HandlerFailed` naming the suspect positions.
        """
        waiting: dict[str, _Group] = {}  # by event type, in the order the groups started
        for hook in self._before_batch:
            try:
                await hook(ctx, delivered)
            except Exception as exc:
                raise HandlerFailed(exc, range(len(delivered))) from exc

        async def run_groups_holding(subject: str, keep: str | None = None) -> None:
            for event_type, group in list(waiting.items()):
                if event_type != keep and subject in group.subjects:
                    del waiting[event_type]
                    await self._run_group(ctx, group, delivered)

        for position, item in enumerate(delivered):
            event_type = item.event.type
            registration = self._by_type[event_type]
            await run_groups_holding(item.subject, keep=event_type)
            if registration.batch_handler is not None:
                group = waiting.setdefault(event_type, _Group(registration))
                group.positions.append(position)
                group.subjects.add(item.subject)
                continue
            try:
                with item.traced():
                    await registration.handler(
                        HandlerContext(ctx.session, item.event, ctx.outbox, ctx.clock), item.payload
                    )
            except Exception as exc:
                raise HandlerFailed(exc, [position]) from exc
        for group in list(waiting.values()):
            await self._run_group(ctx, group, delivered)
        for hook in self._after_batch:
            try:
                await hook(ctx, delivered)
            except Exception as exc:
                raise HandlerFailed(exc, range(len(delivered))) from exc

    @staticmethod
    async def _run_group(ctx: BatchContext, group: _Group, delivered: Sequence[Delivered[Any]]) -> None:
        assert group.registration.batch_handler is not None
        try:
            await group.registration.batch_handler(ctx, [delivered[p] for p in group.positions])
        except Exception as exc:
            raise HandlerFailed(exc, group.positions) from exc
