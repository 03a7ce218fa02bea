"""The ledger's events, read back from the real Kafka topic in the order they happened."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app
from ar_ledger.models import plumbing
from ar_shared.db import asyncpg_dsn
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.kafka import read_topic

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def test_a_customer_lifecycle_arrives_on_ledger_events_in_order(
    ledger_settings: LedgerSettings, ledger_schema: None, unique: str
) -> None:
    headers = bearer(ledger_settings.auth, "ledger:write", "ledger:read")
    async with (
        running(create_app(ledger_settings, TEST_CLOCK), rollback=False) as app,
        client_for(app) as client,
    ):
        external_id = f"EV-{unique}"
        body = {
            "name": "Eventful",
            "currency": "EUR",
            "payment_terms_days": 30,
            "business_entity": f"EV{unique}",
        }
        customer_id = (
            await client.put(f"/v1/customers/external/{external_id}", json=body, headers=headers)
        ).json()["id"]

        async def post(path: str, payload: dict[str, Any]) -> dict[str, Any]:
            response = await client.post(path, json=payload, headers=headers)
            assert response.status_code in {200, 201}, response.text
            return dict(response.json())

        invoice = {"customer_external_id": external_id, "issue_date": "2026-09-01"}
        first = await post("/v1/invoices", invoice | {"invoice_number": "E-1", "amount": eur("100.00")})
        second = await post("/v1/invoices", invoice | {"invoice_number": "E-2", "amount": eur("50.00")})
        void_me = await post("/v1/invoices", invoice | {"invoice_number": "E-3", "amount": eur("10.00")})
        payment = await post(
            "/v1/payments",
            {"customer_external_id": external_id, "amount": eur("120.00"), "received_on": "2026-10-01"},
        )
        await post(f"/v1/payments/{payment['id']}/reverse", {"reversed_on": "2026-10-05"})
        await post(
            "/v1/credit-memos",
            {"customer_external_id": external_id, "memo_number": "EM-1", "issue_date": "2026-10-06",
             "amount": eur("40.00"), "invoice_id": second["id"]},
        )  # fmt: skip
        await post(
            "/v1/write-offs",
            {
                "invoice_id": second["id"],
                "amount": eur("10.00"),
                "reason_code": "small_balance",
                "effective_date": "2026-10-07",
            },
        )
        await post(f"/v1/invoices/{void_me['id']}/void", {"voided_on": "2026-10-08"})
        await post("/v1/past-due-sweeps", {"as_of": "2026-10-09"})

        prefix = f"t{unique}."
        producer = build_producer(ledger_settings.kafka_bootstrap_servers, "ar-test")
        await producer.start()
        try:
            relay = OutboxRelay(
                app.state.engine,
                plumbing,
                producer,
                asyncpg_dsn(ledger_settings.database_url.get_secret_value()),
                RelaySettings(topic_prefix=prefix),
            )
            await relay.drain()
        finally:
            await producer.stop()

    records = await read_topic(ledger_settings.kafka_bootstrap_servers, prefix + "ledger.events", expected=15)
    mine = [json.loads(r.value or b"{}") for r in records if (r.key or b"").decode() == customer_id]
    assert [e["type"].split(".")[2] for e in mine] == [
        "CustomerUpserted",
        "InvoiceIssued",
        "InvoiceIssued",
        "InvoiceIssued",
        "PaymentReceived",
        "PaymentApplied",  # E-1 paid in full (oldest due, then number)
        "InvoiceSettled",
        "PaymentApplied",  # 20.00 on E-2
        "PaymentReversed",
        "CreditMemoIssued",
        "PaymentApplied",  # the memo on E-2
        "InvoiceWrittenOff",
        "InvoiceSettled",  # E-2 reached zero
        "InvoiceVoided",
        "AccountPastDue",
    ]
    received = mine[4]["data"]
    assert received["unapplied"] == eur("0.00")
    reversed_ = mine[8]["data"]
    assert sorted(reversed_["reopened_invoice_ids"]) == sorted([first["id"], second["id"]])
    past_due = mine[14]["data"]
    assert past_due["overdue"] == [
        eur("100.00")
    ]  # E-1 re-opened by the reversal; E-2 is 0 after memo + write-off
    assert past_due["bucket"] == "1-30"
    assert all(e["subject"] == customer_id and e["source"] == "/ar/ledger" for e in mine)
