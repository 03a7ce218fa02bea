"""`OutboxWriter.insert_many` (the envelopes built by PostgreSQL from one array per payload field,
as the strategy run writes a chunk's events) writes the outbox rows `OutboxWriter.records` writes
(by COPY in `copy_many`) for the same events: same event type, topic, key, headers and envelope
JSON (payload included: UUIDs, dates, nulls, nested JSON and money), in the payloads' order."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import act_as_system
from ar_collections.models import plumbing
from ar_collections.recording import outbox
from ar_shared import context
from ar_shared.clock import ManualClock
from ar_shared.events import EventPayload
from ar_shared.events.collections import (
    ChargedItem,
    CollectionTaskCreated,
    CreditHoldRecommended,
    DunningChargeRequested,
    EscalationRaised,
    NotificationRequested,
)
from ar_shared.money import MoneyTotal, PositiveMoneyAmount

pytestmark = pytest.mark.integration

AS_OF = date(2026, 6, 30)


def _payloads(customer_id: uuid.UUID) -> list[EventPayload]:
    context_ = {
        "customer_name": 'Zoë & Söhne "GmbH"',
        "business_date": AS_OF.isoformat(),
        "open_items": [
            {"invoice_id": str(uuid.uuid4()), "open_balance": "1,234.50", "days_past_due": 12},
            {"invoice_id": str(uuid.uuid4()), "open_balance": "0.01", "days_past_due": 0, "note": None},
        ],
        "totals": {"EUR": "1,234.51"},
    }
    return [
        NotificationRequested(
            request_id=uuid.uuid4(), customer_id=customer_id, template_key="first_reminder",
            locale="de-DE", channel="email", recipient="ap@customer.example", context=context_,
        ),
        CollectionTaskCreated(
            task_id=uuid.uuid4(), customer_id=customer_id, kind="call", title="Call: std step at 10 days",
            due_on=AS_OF, sla_due_on=date(2026, 7, 2), source="workflow", created_by="system",
        ),
        EscalationRaised(
            escalation_id=uuid.uuid4(), customer_id=customer_id, level="manager", reason="std v1: 30 days",
            raised_by="strategy:std@1", assignee=None, due_on=AS_OF,
        ),
        CollectionTaskCreated(
            task_id=uuid.uuid4(), customer_id=customer_id, kind="review", title="Escalated: 30 days",
            due_on=AS_OF, assignee="mgr-1", source="workflow", created_by="system",
        ),
        CreditHoldRecommended(
            recommendation_id=uuid.uuid4(), customer_id=customer_id, days_past_due=61,
            recommended_by="strategy:std@1",
        ),
        DunningChargeRequested(
            request_id=uuid.uuid4(), customer_id=customer_id, kind="interest",
            amount=PositiveMoneyAmount(amount="3.17", currency="EUR"), as_of=AS_OF, day_count="act_365",
            invoice_ids=[uuid.uuid4()], days_past_due=45, strategy="strategy:std@1", step_days=45,
            items=[ChargedItem(
                invoice_id=uuid.uuid4(), open_balance=MoneyTotal(amount="1000.00", currency="EUR"),
                interest_from=date(2026, 5, 16), days_late=45,
                interest=MoneyTotal(amount="3.17", currency="EUR"),
            )],
        ),
    ]  # fmt: skip


async def _rows(session: AsyncSession, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    t = plumbing.outbox
    query = (
        select(t.c.event_id, t.c.event_type, t.c.topic, t.c.message_key, t.c.headers, t.c.envelope)
        .where(t.c.message_key == str(customer_id))
        .order_by(t.c.id)
    )
    rows = []
    for row in await session.execute(query):
        found = row._asdict()
        assert found["envelope"]["id"] == str(found.pop("event_id"))
        found["envelope"].pop("id")
        rows.append(found)
    return rows


@pytest.mark.parametrize("traced", [False, True])
async def test_rows_built_in_sql_equal_the_rows_outbox_writer_copies(
    collections_app: FastAPI, traced: bool
) -> None:
    trace = {"correlation_id": "corr-1", "causation_id": str(uuid.uuid4())} if traced else {}
    customer_id = uuid.uuid4()
    payloads = _payloads(customer_id)
    async with collections_app.state.sessionmaker() as session:  # closed without a commit: rolled back
        await act_as_system(session)
        session.info["clock"] = ManualClock(datetime(2026, 6, 30, 17, 5, 9, 123456, tzinfo=UTC))
        with context.bind(**trace):
            # the same events twice (the outbox keys rows by event id): once as OutboxWriter
            # renders them, once built in SQL
            await outbox.copy_many(session, payloads)
            ids = await outbox.insert_many(session, payloads)
        rows = await _rows(session, customer_id)
    copied, built = rows[: len(payloads)], rows[len(payloads) :]
    assert len(ids) == len(built) == len(payloads)
    assert built == copied
    assert [r["event_type"] for r in built] == [p.event_type() for p in payloads]
    assert built[-1]["envelope"]["data"]["items"][0]["interest"] == {"amount": "3.17", "currency": "EUR"}
    assert built[2]["envelope"]["data"]["assignee"] is None
    assert built[0]["envelope"]["time"] == "2026-06-30T17:05:09.123456Z"
    if traced:
        assert built[0]["envelope"]["correlationid"] == "corr-1"
        assert "traceparent" not in built[0]["envelope"]
    else:
        assert "correlationid" not in built[0]["envelope"]


async def test_nothing_to_write_writes_nothing(collections_app: FastAPI) -> None:
    async with collections_app.state.sessionmaker() as session:
        await act_as_system(session)
        assert await outbox.insert_many(session, []) == []


async def test_events_of_one_kind_are_written_in_order(collections_app: FastAPI) -> None:
    customer_id = uuid.uuid4()
    payloads: list[EventPayload] = [
        CreditHoldRecommended(
            recommendation_id=uuid.uuid4(), customer_id=customer_id, days_past_due=days,
            recommended_by="strategy:std@1",
        )
        for days in (61, 62, 63)
    ]  # fmt: skip
    async with collections_app.state.sessionmaker() as session:  # closed without a commit: rolled back
        await act_as_system(session)
        session.info["clock"] = ManualClock(datetime(2026, 6, 30, 17, 5, 9, tzinfo=UTC))
        await outbox.copy_many(session, payloads)
        await outbox.insert_many(session, payloads)
        rows = await _rows(session, customer_id)
    assert rows[3:] == rows[:3]
    assert [r["envelope"]["data"]["days_past_due"] for r in rows[3:]] == [61, 62, 63]
