"""Credit memos, write-offs and refunds carry reason codes from configurable lists."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping

import httpx
import pytest
from pydantic import ValidationError

from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app
from ar_shared.clock import Clock
from ar_shared.testing.http import client_for, running

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
async def configured(
    ledger_settings: LedgerSettings, ledger_schema: None, clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    """A ledger whose credit memos may only say `rebate` or `returns`, write-offs only `tiny`."""
    settings = ledger_settings.model_copy(
        update={"credit_memo_reason_codes": ("rebate", "returns"), "write_off_reason_codes": ("tiny",)}
    )
    async with running(create_app(settings, clock)) as app, client_for(app) as client:
        yield client


async def test_the_configured_codes_are_listed_and_others_refused_on_the_field(
    configured: httpx.AsyncClient, writer: dict[str, str], clock: Clock
) -> None:
    client = configured
    codes = (await client.get("/v1/reason-codes", headers=writer)).json()
    assert codes["credit_memo"] == ["rebate", "returns"]
    assert codes["write_off"] == ["tiny"]
    today = clock.now().date().isoformat()
    body = {"name": "Reasons", "currency": "EUR", "payment_terms_days": 30, "business_entity": "RC"}
    await client.put("/v1/customers/external/RC-1", json=body, headers=writer)
    invoice = {
        "customer_external_id": "RC-1",
        "invoice_number": "RC-1",
        "issue_date": today,
        "amount": eur("10.00"),
    }
    invoice_id = (await client.post("/v1/invoices", json=invoice, headers=writer)).json()["id"]

    async def post(url: str, body: Mapping[str, object]) -> httpx.Response:
        return await client.post(url, json=body, headers=writer | {"Idempotency-Key": str(uuid.uuid4())})

    memo = {
        "customer_external_id": "RC-1",
        "memo_number": "RC-M1",
        "issue_date": today,
        "amount": eur("1.00"),
    }
    refused = await post(
        "/v1/credit-memos", memo | {"reason_code": "pricing"}
    )  # a default, not configured here
    assert refused.status_code == 422
    assert refused.json()["code"] == "unknown_reason_code"
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("reason_code", "unknown_reason_code")
    ]
    assert (await post("/v1/credit-memos", memo | {"reason_code": "rebate"})).status_code == 201
    assert (
        await post("/v1/credit-memos", memo | {"memo_number": "RC-M2"})
    ).status_code == 201  # none: allowed

    write_off = {"invoice_id": invoice_id, "amount": eur("1.00"), "effective_date": today}
    refused = await post("/v1/write-offs", write_off | {"reason_code": "small_balance"})
    assert (refused.status_code, refused.json()["code"]) == (422, "unknown_reason_code")
    assert (await post("/v1/write-offs", write_off | {"reason_code": "tiny"})).status_code == 201


async def test_the_defaults_are_the_documented_lists(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    codes = (await client.get("/v1/reason-codes", headers=reader)).json()
    assert codes == {
        "credit_memo": [
            "pricing", "damaged_goods", "returns", "short_shipment", "billing_error",
            "dispute_settlement", "goodwill", "opening_balance", "other",
        ],
        "write_off": [
            "small_balance", "uncollectable", "bankruptcy", "dispute_settlement", "goodwill", "other",
        ],
        "refund": ["overpayment", "duplicate_payment", "credit_balance", "account_closed", "other"],
    }  # fmt: skip


@pytest.mark.parametrize("codes", ["[]", '["Pricing"]', '["a b"]', '["pricing","pricing"]'])
def test_a_list_that_is_empty_or_holds_odd_codes_is_refused_at_start(
    codes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_CREDIT_MEMO_REASON_CODES", codes)
    with pytest.raises(ValidationError):
        LedgerSettings()
