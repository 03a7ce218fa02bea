"""A promise judged from the ledger's events as they arrive on the real Kafka broker, through the
collections consumer (inbox, handlers, reactions): kept by a `PaymentApplied`, reopened by the
`PaymentReversed` of that payment, broken by the `BusinessDateChanged` of the day after its
tolerance; a redelivered event changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from ar_collections.config import CollectionsSettings
from ar_collections.consumers import handlers
from ar_collections.models import plumbing
from ar_collections.testing import Book, money
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.events.ledger import BusinessDateChanged, PaymentApplied, PaymentReversed, ReopenedInvoice
from ar_shared.relay import build_producer
from ar_shared.testing.clock import TEST_CLOCK

pytestmark = pytest.mark.integration

TODAY = TEST_CLOCK.now().date()


async def test_a_promise_follows_payments_and_business_dates_arriving_on_kafka(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    collections_app: FastAPI,
    collections_settings: CollectionsSettings,
    unique: str,
) -> None:
    entity = f"K{unique[:7].upper()}"
    await book.business_date(entity, TODAY)
    customer = await book.account(entity=entity)
    invoice = await book.invoice(customer, due=TODAY - timedelta(days=20), amount="250.00", entity=entity)
    recorded = await client.post(
        f"/v1/accounts/{customer}/promises",
        json={
            "amount": money("250.00").model_dump(),
            "promised_date": (TODAY + timedelta(days=2)).isoformat(),
            "tolerance_days": 1,
            "channel": "call",
        },
        headers=manager,
    )
    assert recorded.status_code == 201, recorded.text
    promise_path = f"/v1/accounts/{customer}/promises/{recorded.json()['id']}"

    prefix = f"t{unique}."
    producer = build_producer(collections_settings.kafka_bootstrap_servers, f"ar-test-{unique}")
    await producer.start()
    runner = ConsumerRunner(
        ConsumerSettings(
            group_id=f"collections-{unique}",
            bootstrap_servers=collections_settings.kafka_bootstrap_servers,
            topic_prefix=prefix,
        ),
        handlers,
        collections_app.state.sessionmaker,
        plumbing,
        producer,
        collections_app.state.clock,
    )
    await runner.start()

    async def publish(*events: CloudEvent) -> None:
        for event in events:
            await producer.send_and_wait(
                prefix + "ledger.events",
                value=event.to_json_bytes(),
                key=event.subject.encode(),
                headers=[("ce_type", event.type.encode()), ("ce_id", str(event.id).encode())],
            )
        handled = 0
        async with asyncio.timeout(60):
            while handled < len(events):
                handled += await runner.poll_once(timeout_ms=300)

    def wrap(payload: EventPayload) -> CloudEvent:
        return CloudEvent.wrap(payload)

    async def status() -> tuple[str, str]:
        body = (await client.get(promise_path, headers=manager)).json()
        return body["status"], body["received"]["amount"]

    try:
        payment_id = uuid.uuid4()
        applied = wrap(
            PaymentApplied(
                application_id=uuid.uuid4(),
                customer_id=customer,
                invoice_id=invoice,
                source_kind="payment",
                source_id=payment_id,
                amount=money("250.00"),
                effective_date=TODAY + timedelta(days=1),
                invoice_open_balance=money("0.00"),
            )
        )
        await publish(applied)
        assert await status() == ("kept", "250.00")

        await publish(applied)  # delivered again: the inbox knows it
        assert await status() == ("kept", "250.00")
        assert len(await book.emitted(customer, "PromiseToPayKept")) == 1

        await publish(
            wrap(
                PaymentReversed(
                    payment_id=payment_id,
                    customer_id=customer,
                    amount=money("250.00"),
                    reversed_on=TODAY + timedelta(days=1),
                    reopened_invoice_ids=[invoice],
                    reopened=[
                        ReopenedInvoice(
                            invoice_id=invoice, amount=money("250.00"), invoice_open_balance=money("250.00")
                        )
                    ],
                    unapplied_removed=money("0.00"),
                )
            )
        )
        assert await status() == ("open", "0.00")

        for days in (1, 2, 3):  # the deadline is TODAY + 3: still open on it
            await publish(
                wrap(
                    BusinessDateChanged(
                        business_entity=entity,
                        previous_date=TODAY + timedelta(days=days - 1),
                        business_date=TODAY + timedelta(days=days),
                        mode="manual",
                        time_zone="UTC",
                    )
                )
            )
        assert await status() == ("open", "0.00")
        await publish(
            wrap(
                BusinessDateChanged(
                    business_entity=entity,
                    previous_date=TODAY + timedelta(days=3),
                    business_date=TODAY + timedelta(days=4),
                    mode="manual",
                    time_zone="UTC",
                )
            )
        )
        assert await status() == ("broken", "0.00")
        [broken] = await book.emitted(customer, "PromiseToPayBroken")
        assert broken["evaluated_on"] == (TODAY + timedelta(days=4)).isoformat()
    finally:
        await runner.stop()
        await producer.stop()
