"""Escalations: raised by a collector to the team's manager or another department (or by a strategy
step), kept in the managers' queue with a due date, resolved once with an outcome."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from ar_collections.models import Collector, Escalation, Team, plumbing
from ar_collections.testing import Book

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)


async def events(book: Book, customer_id: uuid.UUID, event_type: str) -> list[dict[str, Any]]:
    async with book.session() as session:
        rows = await session.scalars(
            select(plumbing.outbox.c.envelope)
            .where(
                plumbing.outbox.c.event_type == f"ar.collections.{event_type}.v1",
                plumbing.outbox.c.message_key == str(customer_id),
            )
            .order_by(plumbing.outbox.c.id)
        )
        return [dict(e["data"]) for e in rows.all()]


async def teamed_account(book: Book) -> tuple[uuid.UUID, str]:
    entity = f"E{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, D)
    boss = await book.collector(f"boss-{entity.lower()}", role="manager")
    collector = await book.collector("collector-anna")
    async with book.session() as session:
        team = Team(id=uuid.uuid4(), name=f"team {entity}", manager_subject=boss)
        session.add(team)
        await session.flush()
        await session.execute(update(Collector).where(Collector.subject == collector).values(team_id=team.id))
    return await book.account(portfolio_id=await book.portfolio(collector), entity=entity), boss


async def test_an_escalation_to_a_department_reaches_the_managers_queue_and_is_resolved_once(
    client: httpx.AsyncClient, collector: dict[str, str], manager: dict[str, str], book: Book
) -> None:
    customer_id, boss = await teamed_account(book)
    raised = await client.post(
        f"/v1/accounts/{customer_id}/escalations",
        json={"level": "department", "department": "sales", "reason": "asks for a price review"},
        headers=collector,
    )
    assert raised.status_code == 201, raised.text
    escalation = raised.json()
    assert escalation["assignee"] == boss
    assert escalation["due_on"] == (D + timedelta(days=30)).isoformat()
    assert escalation["raised_on"] == D.isoformat()
    (announced,) = await events(book, customer_id, "EscalationRaised")
    assert (announced["level"], announced["department"], announced["assignee"]) == (
        "department",
        "sales",
        boss,
    )
    queue = await client.get("/v1/escalations", params={"assignee": boss}, headers=manager)
    assert [e["id"] for e in queue.json()["items"]] == [escalation["id"]]
    resolved = await client.post(
        f"/v1/escalations/{escalation['id']}/resolution", json={"outcome": "price confirmed"}, headers=manager
    )
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolved_on"]) == ("resolved", D.isoformat())
    (outcome,) = await events(book, customer_id, "EscalationResolved")
    assert outcome["outcome"] == "price confirmed"
    assert (await client.get("/v1/escalations", params={"assignee": boss}, headers=manager)).json()[
        "items"
    ] == []
    again = await client.post(
        f"/v1/escalations/{escalation['id']}/resolution", json={"outcome": "again"}, headers=manager
    )
    assert again.status_code == 409
    assert again.json()["code"] == "escalation_resolved"
    assert len(await events(book, customer_id, "EscalationResolved")) == 1


async def test_bad_escalations_are_refused_whole(
    client: httpx.AsyncClient, collector: dict[str, str], book: Book
) -> None:
    customer_id, _ = await teamed_account(book)
    url = f"/v1/accounts/{customer_id}/escalations"
    past = await client.post(
        url, json={"reason": "late", "due_on": (D - timedelta(days=1)).isoformat()}, headers=collector
    )
    assert past.status_code == 422
    assert past.json()["errors"][0]["field"] == "due_on"
    nameless = await client.post(url, json={"level": "department", "reason": "x"}, headers=collector)
    assert nameless.status_code == 422
    assert nameless.headers["content-type"].startswith("application/problem+json")
    async with book.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(Escalation).where(Escalation.customer_id == customer_id)
        )
    assert count == 0
    assert await events(book, customer_id, "EscalationRaised") == []
