"""The past-due sweep: speaks at the first overdue invoice and at each bucket crossing, never twice."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_ledger.models import plumbing
from ar_ledger.past_due.rules import Change, decide

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("previous", "current", "change"),
    [
        (None, None, Change.NOTHING),
        (None, 1, Change.ANNOUNCE),
        (1, 1, Change.NOTHING),
        (1, 2, Change.ANNOUNCE),
        (3, 1, Change.REMEMBER),
        (2, None, Change.FORGET),
    ],
)
def test_when_the_sweep_speaks(previous: int | None, current: int | None, change: Change) -> None:
    assert decide(previous, current).change is change


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def past_due_events(app: FastAPI, customer_id: str) -> list[dict[str, Any]]:
    o = plumbing.outbox
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(o.c.envelope)
            .where(o.c.message_key == customer_id, o.c.event_type == "ar.ledger.AccountPastDue.v1")
            .order_by(o.c.id)
        )
        return [dict(r["data"]) for r in rows]


async def run(client: httpx.AsyncClient, writer: dict[str, str], as_of: str) -> dict[str, Any]:
    response = await client.post("/v1/past-due-sweeps", json={"as_of": as_of}, headers=writer)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_sweep_announces_first_overdue_and_each_bucket_crossing_once(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    body = {"name": "Late Payer", "currency": "EUR", "payment_terms_days": 30, "business_entity": "PD"}
    customer_id = (await client.put("/v1/customers/external/PD-1", json=body, headers=writer)).json()["id"]
    old = (
        await client.post(
            "/v1/invoices",
            json={
                "customer_external_id": "PD-1",
                "invoice_number": "PD-100",
                "issue_date": "2026-09-01",
                "due_date": "2026-10-01",
                "amount": eur("700.00"),
            },
            headers=writer,
        )
    ).json()
    await client.post(
        "/v1/invoices",
        json={
            "customer_external_id": "PD-1",
            "invoice_number": "PD-101",
            "issue_date": "2026-09-15",
            "due_date": "2026-10-15",
            "amount": eur("300.00"),
        },
        headers=writer,
    )

    await run(client, writer, "2026-10-01")  # due today: current, nothing to say
    assert await past_due_events(ledger_app, customer_id) == []

    await run(client, writer, "2026-10-02")  # first overdue invoice
    await run(client, writer, "2026-10-02")  # the same date again: nothing new
    await run(client, writer, "2026-10-20")  # still 1-30
    events = await past_due_events(ledger_app, customer_id)
    assert len(events) == 1
    assert events[0]["oldest_days_past_due"] == 1
    assert events[0]["bucket"] == "1-30"
    assert events[0]["overdue"] == [eur("700.00")]
    assert events[0]["overdue_invoice_ids"] == [old["id"]]

    await run(client, writer, "2026-11-01")  # 31 days: crossed into 31-60
    events = await past_due_events(ledger_app, customer_id)
    assert [(e["bucket"], e["oldest_days_past_due"], e["overdue"]) for e in events][1] == (
        "31-60",
        31,
        [eur("1000.00")],
    )

    # the oldest invoice is paid: the account is younger now (1-30); crossing 31 again speaks again
    await client.post(
        "/v1/payments",
        json={
            "customer_external_id": "PD-1",
            "amount": eur("700.00"),
            "received_on": "2026-11-02",
            "allocations": [{"invoice_id": old["id"], "amount": eur("700.00")}],
        },
        headers=writer,
    )
    await run(client, writer, "2026-11-03")
    assert len(await past_due_events(ledger_app, customer_id)) == 2
    await run(client, writer, "2026-11-15")  # PD-101 is 31 days past due
    events = await past_due_events(ledger_app, customer_id)
    assert len(events) == 3
    assert events[2]["bucket"] == "31-60"
    assert events[2]["overdue"] == [eur("300.00")]


async def test_a_cured_account_is_announced_again_when_it_falls_behind_again(
    client: httpx.AsyncClient, ledger_app: FastAPI, writer: dict[str, str]
) -> None:
    body = {"name": "Cured", "currency": "EUR", "payment_terms_days": 10, "business_entity": "PD"}
    customer_id = (await client.put("/v1/customers/external/PD-2", json=body, headers=writer)).json()["id"]
    first = (
        await client.post(
            "/v1/invoices",
            json={
                "customer_external_id": "PD-2",
                "invoice_number": "PD-200",
                "issue_date": "2026-10-01",
                "amount": eur("50.00"),
            },
            headers=writer,
        )
    ).json()
    assert (await run(client, writer, "2026-10-20"))["events_emitted"] >= 1
    await client.post(
        "/v1/payments",
        json={
            "customer_external_id": "PD-2",
            "amount": eur("50.00"),
            "received_on": "2026-10-21",
            "allocations": [{"invoice_id": first["id"], "amount": eur("50.00")}],
        },
        headers=writer,
    )
    await run(client, writer, "2026-10-22")  # cured: forgotten
    await client.post(
        "/v1/invoices",
        json={
            "customer_external_id": "PD-2",
            "invoice_number": "PD-201",
            "issue_date": "2026-10-22",
            "amount": eur("80.00"),
        },
        headers=writer,
    )
    await run(client, writer, "2026-11-05")
    events = await past_due_events(ledger_app, customer_id)
    assert [e["bucket"] for e in events] == ["1-30", "1-30"]
    assert json.dumps(events[1]["overdue"]) == json.dumps([eur("80.00")])
