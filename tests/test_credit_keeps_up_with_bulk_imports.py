"""A bulk import reaches credit through real Kafka in one consumer transaction per batch: a few
statements whatever the number of invoices, each customer's policy evaluated once, the
exposure equal to the ledger's and stamped with the time of the customer's last event."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from prometheus_client import REGISTRY
from pydantic import SecretStr
from sqlalchemy import event, select

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers as credit_handlers
from ar_credit.main import create_app as create_credit_app
from ar_credit.models import CreditHold
from ar_credit.models import plumbing as credit_plumbing
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as create_ledger_app
from ar_ledger.models import plumbing as ledger_plumbing
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

TODAY = TEST_CLOCK.now().date()
PER_CUSTOMER = 200


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


def evaluations() -> float:
    return REGISTRY.get_sample_value("ar_credit_policy_evaluations_total") or 0.0


async def fetch_all(runner: ConsumerRunner, count: int) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = runner._consumer
    assert consumer is not None
    records: list[ConsumerRecord[bytes, bytes]] = []
    while len(records) < count:
        for batch in (await consumer.getmany(timeout_ms=300)).values():
            records += batch
    return records


async def test_a_bulk_import_takes_a_few_statements_and_one_policy_evaluation_per_customer(
    stack: Stack, all_schemas: None, unique: str
) -> None:
    prefix = f"b{unique}."
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": stack.kafka_bootstrap}
    ledger_settings = LedgerSettings(database_url=SecretStr(stack.url("ledger", "app")), **common)
    credit_settings = CreditSettings(database_url=SecretStr(stack.url("credit", "app")), **common)
    writer = bearer(ledger_settings.auth, "ledger:write", "ledger:read")
    manager = bearer(credit_settings.auth, "credit:manage", "credit:check", subject="credit-manager")
    producer = build_producer(stack.kafka_bootstrap, "ar-test")
    await producer.start()
    try:
        async with (
            running(create_ledger_app(ledger_settings, TEST_CLOCK), rollback=False) as ledger,
            running(create_credit_app(credit_settings, TEST_CLOCK), rollback=False) as credit,
            client_for(ledger) as lc,
            client_for(credit) as cc,
        ):
            relay = OutboxRelay(
                ledger.state.engine, ledger_plumbing, producer, asyncpg_dsn(stack.url("ledger", "app")),
                RelaySettings(topic_prefix=prefix),
            )  # fmt: skip
            runner = ConsumerRunner(
                ConsumerSettings(
                    group_id=f"credit-{unique}", bootstrap_servers=stack.kafka_bootstrap, topic_prefix=prefix
                ),
                credit_handlers,
                credit.state.sessionmaker,
                credit_plumbing,
                producer,
                TEST_CLOCK,
            )
            await runner.start()
            try:
                externals = [f"BK-{unique}-{n}" for n in range(3)]
                customers = []
                for external_id in externals:
                    response = await lc.put(
                        f"/v1/customers/external/{external_id}",
                        json={"name": external_id, "currency": "EUR", "payment_terms_days": 30,
                              "business_entity": f"BK{unique}"},
                        headers=writer,
                    )  # fmt: skip
                    customers.append(response.json()["id"])
                await relay.drain()
                await runner.apply(await fetch_all(runner, 3))
                # the first customer's limit is crossed by the import: an over-limit hold
                profile = await cc.put(
                    f"/v1/credit-profiles/{customers[0]}",
                    json={"credit_limit": eur("1000.00"), "risk_class": "high", "reason": "onboarding"},
                    headers=manager,
                )
                assert profile.status_code == 201, profile.text

                items = [
                    {"customer_external_id": externals[n % 3], "invoice_number": f"BK-{unique}-{n}",
                     "issue_date": (TODAY - timedelta(days=1)).isoformat(), "amount": eur("10.00")}
                    for n in range(3 * PER_CUSTOMER)
                ]  # fmt: skip
                imported = await lc.post("/v1/invoices/bulk", json={"items": items}, headers=writer)
                assert imported.status_code == 201, imported.text
                assert await relay.drain() == 3 * PER_CUSTOMER
                records = await fetch_all(runner, 3 * PER_CUSTOMER)

                sent: list[str] = []
                engine = credit.state.engine.sync_engine
                count = lambda *args: sent.append(args[2])  # noqa: E731 - the statement
                event.listen(engine, "before_cursor_execute", count)
                before = evaluations()
                try:
                    await runner.apply(records)  # one partition's batch, or all of them: one transaction
                finally:
                    event.remove(engine, "before_cursor_execute", count)

                assert evaluations() - before == 3  # each customer once, not once per invoice
                # inbox, invoices and exposure, the hook's stamp, pictures, policies, holds, and
                # the one hold placed with its audit record and event: not one statement per invoice
                assert len(sent) < 30, sent

                ids = [uuid.UUID(c) for c in customers]
                async with credit.state.sessionmaker() as session:
                    holds = (
                        await session.scalars(select(CreditHold).where(CreditHold.customer_id.in_(ids)))
                    ).all()
                assert [(str(h.customer_id), h.source, h.reason_code) for h in holds] == [
                    (customers[0], "policy", "over_limit")
                ]

                o = ledger_plumbing.outbox
                async with ledger.state.engine.connect() as conn:
                    last_events = dict(
                        (
                            await conn.execute(
                                select(o.c.message_key, o.c.envelope["time"].astext)
                                .where(o.c.message_key.in_(customers))
                                .order_by(o.c.id)
                            )
                        ).all()
                    )
                for customer_id in customers:
                    answer = (
                        await cc.get(
                            "/v1/credit-check",
                            params={"customer_id": customer_id, "amount": "1.00", "currency": "EUR"},
                            headers=manager,
                        )
                    ).json()
                    assert answer["exposure"]["open_ar"] == eur(f"{10 * PER_CUSTOMER}.00")
                    as_of = datetime.fromisoformat(answer["exposure_as_of"])
                    assert as_of == datetime.fromisoformat(last_events[customer_id])
            finally:
                await runner.stop()
    finally:
        await producer.stop()
