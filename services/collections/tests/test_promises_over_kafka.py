"""A promise judged from the ledger's events as they arrive on the real Kafka broker, through the
collections consumer (inbox, handlers, reactions): kept by a `PaymentApplied`, reopened by the
`PaymentReversed` of that payment, broken by the `BusinessDateChanged` of the day after its
tolerance; a redelivered event changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_collections.config import CollectionsSettings
from ar_collections.models import ItemReason, Task
from ar_collections.testing import Book, consumer_on_kafka, money
from ar_shared.events.envelope import CloudEvent, EventPayload
from ar_shared.events.ledger import BusinessDateChanged, PaymentApplied, PaymentReversed, ReopenedInvoice
from ar_shared.testing.clock import TEST_CLOCK

pytestmark = pytest.mark.integration

TODAY = TEST_CLOCK.now().date()


def wrap(payload: EventPayload) -> CloudEvent:
    return CloudEvent.wrap(payload)


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

    async def status() -> tuple[str, str]:
        body = (await client.get(promise_path, headers=manager)).json()
        return body["status"], body["received"]["amount"]

    async with consumer_on_kafka(collections_app, collections_settings, unique, "ledger.events") as publish:
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


async def test_a_reversal_reopening_a_kept_promise_beside_a_newer_one_counts_each_payment_once(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    collections_app: FastAPI,
    collections_settings: CollectionsSettings,
    unique: str,
) -> None:
    """A promise of 250.00 over a 500.00 invoice is kept; the collector takes a second promise for
    the other 250.00; the first payment bounces. The first promise reopens beside the newer one (both
    live, the collector told); the replacement payment keeps the older one only, the next payment
    the newer one."""
    entity = f"K{unique[:7].upper()}"
    await book.business_date(entity, TODAY)
    customer = await book.account(entity=entity)
    invoice = await book.invoice(customer, due=TODAY - timedelta(days=20), amount="500.00", entity=entity)

    async def record(promised_in: int) -> str:
        response = await client.post(
            f"/v1/accounts/{customer}/promises",
            json={
                "amount": money("250.00").model_dump(),
                "promised_date": (TODAY + timedelta(days=promised_in)).isoformat(),
                "tolerance_days": 1,
                "invoice_ids": [str(invoice)],
                "channel": "call",
            },
            headers=manager,
        )
        assert response.status_code == 201, response.text
        return f"/v1/accounts/{customer}/promises/{response.json()['id']}"

    async def status(path: str) -> tuple[str, str]:
        body = (await client.get(path, headers=manager)).json()
        return body["status"], body["received"]["amount"]

    def paid(amount: str, open_after: str, days: int, payment_id: uuid.UUID) -> CloudEvent:
        return wrap(
            PaymentApplied(
                application_id=uuid.uuid4(),
                customer_id=customer,
                invoice_id=invoice,
                source_kind="payment",
                source_id=payment_id,
                amount=money(amount),
                effective_date=TODAY + timedelta(days=days),
                invoice_open_balance=money(open_after),
            )
        )

    older = await record(2)
    async with consumer_on_kafka(collections_app, collections_settings, unique, "ledger.events") as publish:
        bounced = uuid.uuid4()
        await publish(paid("250.00", "250.00", 0, bounced))
        assert await status(older) == ("kept", "250.00")

        newer = await record(10)  # the rest of the invoice: allowed, the older promise is judged
        await publish(paid("0.01", "249.99", 0, uuid.uuid4()))  # any cash move judges both again
        assert await status(newer) == ("open", "0.01")  # the first 250.00 is the older promise's

        await publish(
            wrap(
                PaymentReversed(
                    payment_id=bounced,
                    customer_id=customer,
                    amount=money("250.00"),
                    reversed_on=TODAY,
                    reopened_invoice_ids=[invoice],
                    reopened=[
                        ReopenedInvoice(
                            invoice_id=invoice, amount=money("250.00"), invoice_open_balance=money("499.99")
                        )
                    ],
                    unapplied_removed=money("0.00"),
                )
            )
        )
        # both live now: the older one judged again at its own deadline, the newer one untouched
        assert await status(older) == ("open", "0.01")
        assert await status(newer) == ("open", "0.00")
        assert len(await book.emitted(customer, "PromiseToPayReopened")) == 1
        async with book.session() as session:
            titles = (await session.scalars(select(Task.title).where(Task.customer_id == customer))).all()
        assert [t for t in titles if t.startswith("Reopened promise")] != []
        # the overlap is the reopened promise's only: a third promise over the item is refused
        third = await client.post(
            f"/v1/accounts/{customer}/promises",
            json={
                "amount": money("100.00").model_dump(),
                "promised_date": TODAY.isoformat(),
                "invoice_ids": [str(invoice)],
                "channel": "call",
            },
            headers=manager,
        )
        assert third.status_code == 422
        assert third.json()["errors"][0]["code"] == "item_already_promised"

        await publish(paid("249.99", "250.00", 1, uuid.uuid4()))  # the replacement payment
        assert await status(older) == ("kept", "250.00")
        assert await status(newer) == ("open", "0.00")  # counted for the older promise only
        async with book.session() as session:
            reason = await session.scalar(select(ItemReason.code).where(ItemReason.invoice_id == invoice))
        assert reason == "promised"  # the newer promise still holds the item

        await publish(paid("250.00", "0.00", 5, uuid.uuid4()))
        assert await status(newer) == ("kept", "250.00")
        assert await status(older) == ("kept", "250.00")
        assert len(await book.emitted(customer, "PromiseToPayKept")) == 3  # older twice, newer once


async def test_a_reversal_reopening_a_kept_promise_beside_a_newer_plan_counts_each_payment_once(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    collections_app: FastAPI,
    collections_settings: CollectionsSettings,
    unique: str,
) -> None:
    """A promise of 250.00 over a 500.00 invoice is kept; the collector agrees a payment plan for the
    other 250.00 (two instalments of 125.00); the promise's payment bounces. The promise reopens
    beside the plan (both live, the collector told, the item still the plan's); the replacement
    payment keeps the older promise only (the plan's instalments stay unpaid), the next payment
    completes the plan."""
    entity = f"K{unique[:7].upper()}"
    await book.business_date(entity, TODAY)
    customer = await book.account(entity=entity)
    invoice = await book.invoice(customer, due=TODAY - timedelta(days=20), amount="500.00", entity=entity)
    recorded = await client.post(
        f"/v1/accounts/{customer}/promises",
        json={
            "amount": money("250.00").model_dump(),
            "promised_date": (TODAY + timedelta(days=2)).isoformat(),
            "tolerance_days": 1,
            "invoice_ids": [str(invoice)],
            "channel": "call",
        },
        headers=manager,
    )
    assert recorded.status_code == 201, recorded.text
    promise = f"/v1/accounts/{customer}/promises/{recorded.json()['id']}"

    async def status(path: str) -> tuple[str, str]:
        body = (await client.get(path, headers=manager)).json()
        return body["status"], body["received"]["amount"]

    async def instalments(path: str) -> list[str]:
        return [i["status"] for i in (await client.get(path, headers=manager)).json()["instalments"]]

    async def reason() -> str | None:
        async with book.session() as session:
            return await session.scalar(select(ItemReason.code).where(ItemReason.invoice_id == invoice))

    def paid(amount: str, open_after: str, days: int, payment_id: uuid.UUID) -> CloudEvent:
        return wrap(
            PaymentApplied(
                application_id=uuid.uuid4(),
                customer_id=customer,
                invoice_id=invoice,
                source_kind="payment",
                source_id=payment_id,
                amount=money(amount),
                effective_date=TODAY + timedelta(days=days),
                invoice_open_balance=money(open_after),
            )
        )

    async with consumer_on_kafka(collections_app, collections_settings, unique, "ledger.events") as publish:
        bounced = uuid.uuid4()
        await publish(paid("250.00", "250.00", 0, bounced))
        assert await status(promise) == ("kept", "250.00")

        agreed = await client.post(  # the rest of the invoice: allowed, the promise is judged
            f"/v1/accounts/{customer}/payment-plans",
            json={
                "invoice_ids": [str(invoice)],
                "instalments": [
                    {
                        "due_date": (TODAY + timedelta(days=d)).isoformat(),
                        "amount": money("125.00").model_dump(),
                    }
                    for d in (5, 10)
                ],
                "tolerance_days": 0,
            },
            headers=manager,
        )
        assert agreed.status_code == 201, agreed.text
        plan = f"/v1/accounts/{customer}/payment-plans/{agreed.json()['id']}"
        assert await reason() == "payment_plan"

        await publish(
            wrap(
                PaymentReversed(
                    payment_id=bounced,
                    customer_id=customer,
                    amount=money("250.00"),
                    reversed_on=TODAY,
                    reopened_invoice_ids=[invoice],
                    reopened=[
                        ReopenedInvoice(
                            invoice_id=invoice, amount=money("250.00"), invoice_open_balance=money("500.00")
                        )
                    ],
                    unapplied_removed=money("0.00"),
                )
            )
        )
        # both live now: the promise judged again at its own deadline, the plan untouched
        assert await status(promise) == ("open", "0.00")
        assert await status(plan) == ("active", "0.00")
        assert len(await book.emitted(customer, "PromiseToPayReopened")) == 1
        async with book.session() as session:
            titles = (await session.scalars(select(Task.title).where(Task.customer_id == customer))).all()
        assert [t for t in titles if t.startswith("Reopened promise") and "payment plan" in t] != []
        assert await reason() == "payment_plan"  # still the plan's item

        await publish(paid("250.00", "250.00", 1, uuid.uuid4()))  # the replacement payment
        assert await status(promise) == ("kept", "250.00")
        assert await status(plan) == ("active", "0.00")  # counted for the older promise only
        assert await instalments(plan) == ["pending", "pending"]
        assert await reason() == "payment_plan"

        await publish(paid("250.00", "0.00", 5, uuid.uuid4()))
        assert await status(plan) == ("completed", "250.00")
        assert await instalments(plan) == ["kept", "kept"]
        assert await status(promise) == ("kept", "250.00")
        assert len(await book.emitted(customer, "PromiseToPayKept")) == 2  # before and after the bounce
        assert len(await book.emitted(customer, "PaymentPlanCompleted")) == 1
