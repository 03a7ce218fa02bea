"""Write-off and suspension recommendations: raised by a collector (with the evidence) or by a
strategy step, decided once by a manager who did not raise it; approval announces what the
ledger, the order system and credit act on; bad input is refused whole."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ar_collections.models import Recommendation, plumbing
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


async def placed_account(
    book: Book, collector: str = "collector-anna", today: date = D
) -> tuple[str, uuid.UUID, uuid.UUID]:
    entity = f"R{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, today)
    await book.collector(collector)
    portfolio = await book.portfolio(collector)
    customer_id = await book.account(entity=entity, portfolio_id=portfolio)
    invoice = await book.invoice(customer_id, due=D - timedelta(days=95), amount="35.00", entity=entity)
    return entity, customer_id, invoice


def write_off(invoice: uuid.UUID, amount: str = "35.00", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "write_off",
        "invoice_id": str(invoice),
        "amount": {"amount": amount, "currency": "EUR"},
        "reason_code": "uncollectable",
        **extra,
    }


async def test_a_collectors_write_off_recommendation_carries_its_evidence_and_a_manager_approves_it(
    client: httpx.AsyncClient, collector: dict[str, str], manager: dict[str, str], book: Book
) -> None:
    _, customer_id, invoice = await placed_account(book)
    logged = await client.post(
        f"/v1/accounts/{customer_id}/activities",
        json={"kind": "call", "summary": "no answer, third time"},
        headers=collector,
    )
    assert logged.status_code == 201, logged.text
    raised = await client.post(
        f"/v1/accounts/{customer_id}/recommendations", json=write_off(invoice, note="gone"), headers=collector
    )
    assert raised.status_code == 201, raised.text
    recommendation = raised.json()
    assert recommendation["status"] == "pending"
    assert recommendation["recommended_by"] == "collector-anna"
    evidence = recommendation["evidence"]
    assert evidence["days_past_due"] == 95
    assert evidence["invoice_open_balance"] == "35.00"
    assert [a["summary"] for a in evidence["activities"]] == ["no answer, third time"]
    (announced,) = await events(book, customer_id, "WriteOffRecommended")
    assert announced["recommendation_id"] == recommendation["id"]

    queue = (await client.get("/v1/recommendations", headers=manager)).json()["items"]
    assert recommendation["id"] in {r["id"] for r in queue}
    # a collector does not decide
    refused = await client.post(
        f"/v1/recommendations/{recommendation['id']}/decision",
        json={"decision": "approve"},
        headers=collector,
    )
    assert refused.status_code == 403
    approved = await client.post(
        f"/v1/recommendations/{recommendation['id']}/decision",
        json={"decision": "approve", "note": "agreed"},
        headers=manager,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "collections-manager"
    (approval,) = await events(book, customer_id, "WriteOffApproved")
    assert approval["recommendation_id"] == recommendation["id"]
    assert approval["invoice_id"] == str(invoice)
    assert approval["amount"] == {"amount": "35.00", "currency": "EUR"}
    assert approval["effective_date"] == D.isoformat()
    assert approval["approved_by"] == "collections-manager"
    again = await client.post(
        f"/v1/recommendations/{recommendation['id']}/decision", json={"decision": "reject"}, headers=manager
    )
    assert again.status_code == 409
    assert again.json()["code"] == "recommendation_decided"
    assert len(await events(book, customer_id, "WriteOffApproved")) == 1


async def test_approving_ones_own_recommendation_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    _, customer_id, invoice = await placed_account(book)
    raised = (
        await client.post(
            f"/v1/accounts/{customer_id}/recommendations", json=write_off(invoice), headers=manager
        )
    ).json()
    response = await client.post(
        f"/v1/recommendations/{raised['id']}/decision", json={"decision": "approve"}, headers=manager
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "own_recommendation"
    assert response.json()["errors"][0]["field"] == "decision"
    assert (await client.get(f"/v1/recommendations/{raised['id']}", headers=manager)).json()[
        "status"
    ] == "pending"
    assert await events(book, customer_id, "WriteOffApproved") == []


async def test_bad_write_off_recommendations_are_refused_whole(
    client: httpx.AsyncClient, collector: dict[str, str], book: Book
) -> None:
    _, customer_id, invoice = await placed_account(book)
    url = f"/v1/accounts/{customer_id}/recommendations"
    above = await client.post(url, json=write_off(invoice, "35.01"), headers=collector)
    assert above.status_code == 422
    assert above.json()["errors"][0] == {
        "field": "amount",
        "message": "more than the invoice's open balance",
        "code": "above_open_balance",
    }
    unknown = await client.post(url, json=write_off(invoice, reason_code="because"), headers=collector)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "reason_code"
    shapeless = await client.post(
        url, json={"kind": "write_off", "reason_code": "uncollectable"}, headers=collector
    )
    assert shapeless.status_code == 422
    async with book.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(Recommendation).where(Recommendation.customer_id == customer_id)
        )
    assert count == 0
    assert await events(book, customer_id, "WriteOffRecommended") == []


async def test_an_approved_suspension_tells_the_order_system_and_recommends_a_credit_hold(
    client: httpx.AsyncClient, collector: dict[str, str], manager: dict[str, str], book: Book
) -> None:
    _, customer_id, _ = await placed_account(book)
    raised = await client.post(
        f"/v1/accounts/{customer_id}/recommendations",
        json={"kind": "suspension", "reason_code": "persistent_non_payment"},
        headers=collector,
    )
    assert raised.status_code == 201, raised.text
    decided = await client.post(
        f"/v1/recommendations/{raised.json()['id']}/decision", json={"decision": "approve"}, headers=manager
    )
    assert decided.status_code == 200, decided.text
    (suspension,) = await events(book, customer_id, "AccountSuspensionRecommended")
    assert suspension["recommendation_id"] == raised.json()["id"]
    assert suspension["approved_on"] == D.isoformat()
    (hold,) = await events(book, customer_id, "CreditHoldRecommended")
    assert hold["days_past_due"] == 95


async def test_strategy_steps_recommend_write_offs_and_suspensions_once(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, customer_id, invoice = await placed_account(book, today=D - timedelta(days=30))
    name = f"wo-{entity.lower()}"
    steps = [{"days": 60, "action": "recommend_suspension"}, {"days": 90, "action": "recommend_write_off"}]
    created = await client.post(
        "/v1/dunning-strategies", json={"name": name, "steps": steps}, headers=manager
    )
    assert created.status_code == 201, created.text
    segment = await client.post(
        "/v1/strategy-segments",
        json={"name": entity, "strategy": name, "priority": uuid.uuid4().int % 900_000 + 1000,
              "business_entity": entity},
        headers=manager,
    )  # fmt: skip
    assert segment.status_code == 201, segment.text
    for as_of in (D - timedelta(days=30), D, D):  # the last run fires nothing again
        await book.business_date(entity, as_of)
        run = await client.post(
            "/v1/strategy-runs", json={"business_entity": entity, "as_of": as_of.isoformat()}, headers=manager
        )
        assert run.status_code == 201, run.text
    async with book.session() as session:
        rows = (
            await session.scalars(select(Recommendation).where(Recommendation.customer_id == customer_id))
        ).all()
    assert sorted((r.kind, r.source, r.invoice_id, r.amount_minor) for r in rows) == sorted(
        [("suspension", "strategy", None, None), ("write_off", "strategy", invoice, 3500)]
    )
    assert {r.recommended_by for r in rows} == {f"strategy:{name}@1"}
