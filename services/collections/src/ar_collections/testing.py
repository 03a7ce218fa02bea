"""Builders for tests and benchmarks: people, portfolios, accounts and ledger events, written
through the worker's own handlers (so what a test sets up is what the projection would hold)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import act_as_system
from ar_collections.accounts.repository import AccountRepository
from ar_collections.config import CollectionsSettings
from ar_collections.consumers import handlers
from ar_collections.models import Collector, Portfolio, plumbing
from ar_collections.red_flags.jobs import RedFlagJobRunner
from ar_shared.consumer import ConsumerRunner, ConsumerSettings, HandlerContext
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.events.ledger import (
    BusinessDateChanged,
    CustomerUpserted,
    InvoiceIssued,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    ReopenedInvoice,
)
from ar_shared.money import MoneyAmount
from ar_shared.outbox import OutboxWriter
from ar_shared.relay import build_producer


def money(amount: str, currency: str = "EUR") -> MoneyAmount:
    return MoneyAmount(amount=amount, currency=currency)


class Book:
    """Seeds a collections schema through an app's sessions (rolled back with the test's)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.app.state.sessionmaker() as session:
            await act_as_system(session)
            yield session
            await session.commit()

    async def deliver(self, payload: EventPayload) -> None:
        """Handles `payload` as the worker would (projection, then what it sets off)."""
        registration = handlers.get(payload.event_type())
        assert registration is not None, f"collections does not consume {payload.event_type()}"
        async with self.session() as session:
            context = HandlerContext(
                session, CloudEvent.wrap(payload), OutboxWriter(plumbing), self.app.state.clock
            )
            await registration.handler(context, payload)

    async def collector(
        self, subject: str, *, role: str = "collector", absent: bool = False, name: str | None = None
    ) -> str:
        async with self.session() as session:
            await session.execute(
                insert(Collector)
                .values(subject=subject, display_name=name or subject, role=role, absent=absent)
                .on_conflict_do_nothing()
            )
        return subject

    async def portfolio(
        self, collector: str, *, backup: str | None = None, name: str | None = None
    ) -> uuid.UUID:
        portfolio_id = uuid.uuid4()
        async with self.session() as session:
            session.add(
                Portfolio(
                    id=portfolio_id,
                    name=name or f"{collector} {portfolio_id.hex[:6]}",
                    collector_subject=collector,
                    backup_subject=backup,
                    created_by="test",
                )
            )
        return portfolio_id

    async def account(
        self,
        *,
        portfolio_id: uuid.UUID | None = None,
        entity: str = "DE01",
        currency: str = "EUR",
        name: str | None = None,
        time_zone: str = "UTC",
        sales_rep: str | None = None,
        customer_id: uuid.UUID | None = None,
        contact_email: str = "ap@customer.example",
    ) -> uuid.UUID:
        """A customer as the ledger announces it; with `portfolio_id`, placed there by hand."""
        customer_id = customer_id or uuid.uuid4()
        await self.deliver(
            CustomerUpserted(
                customer_id=customer_id,
                external_id=f"C-{customer_id.hex[:8]}",
                name=name or f"Customer {customer_id.hex[:6]}",
                currency=currency,
                payment_terms_days=30,
                business_entity=entity,
                sales_rep=sales_rep,
                contact_email=contact_email,
                time_zone=time_zone,
            )
        )
        if portfolio_id is not None:
            await self.place(customer_id, portfolio_id)
        return customer_id

    async def place(self, customer_id: uuid.UUID, portfolio_id: uuid.UUID | None) -> None:
        async with self.session() as session:
            await AccountRepository(session).set_assignment(
                customer_id,
                portfolio_id=portfolio_id,
                source="manual",
                rule_id=None,
                at=self.app.state.clock.now(),
            )

    async def invoice(
        self,
        customer_id: uuid.UUID,
        *,
        due: date,
        amount: str,
        currency: str = "EUR",
        number: str | None = None,
        issued: date | None = None,
        entity: str = "DE01",
    ) -> uuid.UUID:
        invoice_id = uuid.uuid4()
        await self.deliver(
            InvoiceIssued(
                invoice_id=invoice_id,
                customer_id=customer_id,
                business_entity=entity,
                invoice_number=number or f"INV-{invoice_id.hex[:8]}",
                issue_date=issued or due,
                due_date=due,
                amount=money(amount, currency),
            )
        )
        return invoice_id

    async def business_date(self, entity: str, on: date, time_zone: str = "UTC") -> None:
        """The ledger set the entity's business date by hand; then the worker runs the red-flag
        job its close of business asked for."""
        await self.deliver(
            BusinessDateChanged(
                business_entity=entity,
                previous_date=None,
                business_date=on,
                mode="manual",
                time_zone=time_zone,
            )
        )
        state = self.app.state
        await RedFlagJobRunner(state.sessionmaker, state.clock, state.settings).run_pending()

    async def pay(
        self,
        customer_id: uuid.UUID,
        invoice_id: uuid.UUID,
        amount: str,
        open_after: str,
        on: date,
        *,
        received: bool = False,
    ) -> uuid.UUID:
        """The ledger applied a payment (EUR) to the invoice (having announced it received on the
        same date first, if `received`: what a payment that later bounces needs); returns its id."""
        payment_id = uuid.uuid4()
        if received:
            await self.deliver(
                PaymentReceived(
                    payment_id=payment_id, customer_id=customer_id, amount=money(amount), received_on=on,
                    unapplied=money("0.00"),
                )
            )  # fmt: skip
        await self.deliver(
            PaymentApplied(
                application_id=uuid.uuid4(),
                customer_id=customer_id,
                invoice_id=invoice_id,
                source_kind="payment",
                source_id=payment_id,
                amount=money(amount),
                effective_date=on,
                invoice_open_balance=money(open_after),
            )
        )
        return payment_id

    async def reverse(
        self,
        customer_id: uuid.UUID,
        payment_id: uuid.UUID,
        invoice_id: uuid.UUID,
        amount: str,
        open_after: str,
        on: date,
    ) -> None:
        """The ledger reversed a payment (EUR) that paid `amount` of one invoice."""
        await self.deliver(
            PaymentReversed(
                payment_id=payment_id,
                customer_id=customer_id,
                amount=money(amount),
                reversed_on=on,
                reopened_invoice_ids=[invoice_id],
                reopened=[
                    ReopenedInvoice(
                        invoice_id=invoice_id, amount=money(amount), invoice_open_balance=money(open_after)
                    )
                ],
                unapplied_removed=money("0.00"),
            )
        )

    async def emitted(self, customer_id: uuid.UUID, event_name: str) -> list[dict[str, Any]]:
        """The `data` of the collections events of that name in the outbox, oldest first."""
        async with self.session() as session:
            rows = await session.scalars(
                select(plumbing.outbox.c.envelope)
                .where(
                    plumbing.outbox.c.event_type == f"ar.collections.{event_name}.v1",
                    plumbing.outbox.c.message_key == str(customer_id),
                )
                .order_by(plumbing.outbox.c.id)
            )
            return [dict(r["data"]) for r in rows]


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


Publish = Callable[..., Awaitable[None]]


@asynccontextmanager
async def consumer_on_kafka(
    app: FastAPI, settings: CollectionsSettings, unique: str, topic: str
) -> AsyncIterator[Publish]:
    """A producer on the test's own `topic` (e.g. "ledger.events", under a prefix of its own) and
    the collections consumer reading it; yields `publish(*events)`, which returns once the
    consumer handled that many messages."""
    prefix = f"t{unique}."
    producer = build_producer(settings.kafka_bootstrap_servers, f"ar-test-{unique}")
    await producer.start()
    runner = ConsumerRunner(
        ConsumerSettings(
            group_id=f"collections-{unique}",
            bootstrap_servers=settings.kafka_bootstrap_servers,
            topic_prefix=prefix,
        ),
        handlers,
        app.state.sessionmaker,
        plumbing,
        producer,
        app.state.clock,
    )
    await runner.start()

    async def publish(*events: CloudEvent) -> None:
        for event in events:
            await producer.send_and_wait(
                prefix + topic,
                value=event.to_json_bytes(),
                key=event.subject.encode(),
                headers=[("ce_type", event.type.encode()), ("ce_id", str(event.id).encode())],
            )
        handled = 0
        async with asyncio.timeout(60):
            while handled < len(events):
                handled += await runner.poll_once(timeout_ms=300)

    try:
        yield publish
    finally:
        await runner.stop()
        await producer.stop()
