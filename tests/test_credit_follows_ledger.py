"""Credit follows the ledger through real Kafka: exposure, a policy hold from AccountPastDue
(exactly one, even delivered twice), released by the curing payment; a manual hold survives;
unapplied cash paid back (RefundIssued) no longer offsets exposure."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

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


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def test_credit_exposure_and_holds_follow_ledger_events(
    stack: Stack, all_schemas: None, unique: str
) -> None:
    prefix = f"c{unique}."
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": stack.kafka_bootstrap}
    ledger_settings = LedgerSettings(database_url=SecretStr(stack.url("ledger", "app")), **common)
    credit_settings = CreditSettings(database_url=SecretStr(stack.url("credit", "app")), **common)
    ledger_headers = bearer(ledger_settings.auth, "ledger:write", "ledger:read")
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
            consumer = ConsumerSettings(
                group_id=f"credit-{unique}", bootstrap_servers=stack.kafka_bootstrap, topic_prefix=prefix
            )
            runner = ConsumerRunner(
                consumer, credit_handlers, credit.state.sessionmaker, credit_plumbing, producer
            )
            await runner.start()

            async def pump() -> None:
                """Ledger outbox -> Kafka -> credit consumer, until the consumer is idle."""
                await relay.drain()
                idle = 0
                async with asyncio.timeout(60):
                    while idle < 3:
                        idle = idle + 1 if await runner.poll_once(timeout_ms=300) == 0 else 0

            async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
                response = await lc.post(path, json=body, headers=ledger_headers)
                assert response.status_code in {200, 201}, response.text
                return dict(response.json())

            async def holds(customer_id: str, **where: Any) -> int:
                async with credit.state.sessionmaker() as session:
                    query = (
                        select(func.count())
                        .select_from(CreditHold)
                        .where(CreditHold.customer_id == uuid.UUID(customer_id))
                    )
                    for key, value in where.items():
                        query = query.where(getattr(CreditHold, key) == value)
                    return int(await session.scalar(query) or 0)

            try:
                entity = f"CR{unique}"
                customer = (
                    await lc.put(
                        f"/v1/customers/external/CR-{unique}",
                        json={
                            "name": "Credit Follow",
                            "currency": "EUR",
                            "payment_terms_days": 30,
                            "business_entity": entity,
                        },
                        headers=ledger_headers,
                    )
                ).json()
                customer_id = customer["id"]
                await pump()
                profile = await cc.put(
                    f"/v1/credit-profiles/{customer_id}",
                    json={"credit_limit": eur("5000.00"), "risk_class": "high", "reason": "onboarding"},
                    headers=manager,
                )
                assert profile.status_code == 201, profile.text
                invoice = await post(
                    "/v1/invoices",
                    {"customer_external_id": f"CR-{unique}", "invoice_number": "CR-1",
                     "issue_date": (TODAY - timedelta(days=30)).isoformat(), "due_date": TODAY.isoformat(),
                     "amount": eur("1000.00")},
                )  # fmt: skip
                await pump()
                check = (
                    await cc.get(
                        "/v1/credit-check",
                        params={"customer_id": customer_id, "amount": "4000.00", "currency": "EUR"},
                        headers=manager,
                    )
                ).json()
                assert check["exposure"]["open_ar"] == eur("1000.00")
                assert check["decision"] == "approved"  # 1,000 + 4,000 = the limit exactly
                assert await holds(customer_id) == 0

                # the sweep, 31 days later: beyond the high-risk class's 30 days -> one policy hold
                await post("/v1/past-due-sweeps", {"as_of": (TODAY + timedelta(days=31)).isoformat()})
                await pump()
                assert await holds(customer_id, source="policy", status="active", reason_code="past_due") == 1
                # the same AccountPastDue delivered again (a relay replay): still exactly one hold
                async with ledger.state.engine.begin() as conn:
                    o = ledger_plumbing.outbox
                    await conn.execute(
                        o.update()
                        .where(
                            o.c.message_key == customer_id, o.c.event_type == "ar.ledger.AccountPastDue.v1"
                        )
                        .values(published_at=None)
                    )
                await pump()
                assert await holds(customer_id, source="policy") == 1

                manual = await cc.post(
                    "/v1/holds",
                    json={"customer_id": customer_id, "reason_code": "documents_missing"},
                    headers=manager,
                )
                assert manual.status_code == 201
                held = (
                    await cc.get(
                        "/v1/credit-check",
                        params={"customer_id": customer_id, "amount": "1.00", "currency": "EUR"},
                        headers=manager,
                    )
                ).json()
                assert held["decision"] == "held"

                # the curing payment releases the policy hold, not the manual one
                await post(
                    "/v1/payments",
                    {"customer_external_id": f"CR-{unique}", "amount": eur("1000.00"),
                     "received_on": TODAY.isoformat(),
                     "allocations": [{"invoice_id": invoice["id"], "amount": eur("1000.00")}]},
                )  # fmt: skip
                await pump()
                assert await holds(customer_id, source="policy", status="active") == 0
                assert await holds(customer_id, source="policy", status="released") == 1
                assert await holds(customer_id, source="manual", status="active") == 1
                after = (
                    await cc.get(
                        "/v1/credit-check",
                        params={"customer_id": customer_id, "amount": "1.00", "currency": "EUR"},
                        headers=manager,
                    )
                ).json()
                assert after["exposure"]["open_ar"] == eur("0.00")
                assert after["decision"] == "held"
                assert [h["source"] for h in after["holds"]] == ["manual"]

                # an overpayment sits as unapplied cash until it is refunded
                overpaid = await post(
                    "/v1/payments",
                    {"customer_external_id": f"CR-{unique}", "amount": eur("300.00"),
                     "received_on": TODAY.isoformat(), "allocations": []},
                )  # fmt: skip

                async def unapplied_cash() -> dict[str, str]:
                    await pump()
                    answer = await cc.get(
                        "/v1/credit-check",
                        params={"customer_id": customer_id, "amount": "1.00", "currency": "EUR"},
                        headers=manager,
                    )
                    return dict(answer.json()["exposure"]["unapplied_cash"])

                assert await unapplied_cash() == eur("300.00")
                await post(
                    "/v1/refunds",
                    {
                        "payment_id": overpaid["id"],
                        "refund_date": TODAY.isoformat(),
                        "reason_code": "overpayment",
                    },
                )
                assert await unapplied_cash() == eur("0.00")
            finally:
                await runner.stop()
    finally:
        await producer.stop()
