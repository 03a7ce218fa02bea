"""Collectors, teams and portfolios; assignment rules placing accounts as they arrive and
change; manual reassignment with a reason (audited, announced), and handing back to the rules."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ar_collections.models import AssignmentHistory, plumbing
from ar_collections.testing import Book
from ar_shared.events.credit import CreditReviewCompleted

pytestmark = pytest.mark.integration


async def put_collector(client: httpx.AsyncClient, manager: dict[str, str], subject: str, **body: Any) -> Any:
    response = await client.put(
        f"/v1/collectors/{subject}", json={"display_name": subject.title(), **body}, headers=manager
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


async def new_portfolio(
    client: httpx.AsyncClient, manager: dict[str, str], collector: str, **body: Any
) -> str:
    name = f"{collector} {uuid.uuid4().hex[:6]}"
    response = await client.post(
        "/v1/portfolios", json={"name": name, "collector": collector, **body}, headers=manager
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def events(book: Book, event_type: str) -> list[dict[str, Any]]:
    async with book.session() as session:
        rows = await session.scalars(
            select(plumbing.outbox.c.envelope)
            .where(plumbing.outbox.c.event_type == event_type)
            .order_by(plumbing.outbox.c.id)
        )
        return [r["data"] for r in rows]


async def test_collectors_teams_and_portfolios_are_kept_by_token_subject(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str]
) -> None:
    first = await client.put(
        "/v1/collectors/maria", json={"display_name": "Maria", "role": "manager"}, headers=manager
    )
    assert first.status_code == 201
    again = await client.put(
        "/v1/collectors/maria", json={"display_name": "Maria K.", "role": "manager"}, headers=manager
    )
    assert again.status_code == 200
    assert again.json()["display_name"] == "Maria K."
    team = await client.post(
        "/v1/teams", json={"name": f"DACH {uuid.uuid4().hex[:4]}", "manager": "maria"}, headers=manager
    )
    assert team.status_code == 201, team.text
    anna = await put_collector(client, manager, "anna", team_id=team.json()["id"], email="anna@example.com")
    assert anna["team_id"] == team.json()["id"]
    listed = (
        await client.get("/v1/collectors", params={"team_id": team.json()["id"]}, headers=collector)
    ).json()
    assert [c["subject"] for c in listed["items"]] == ["anna"]
    # collectors may look, not change
    refused = await client.put("/v1/collectors/anna", json={"display_name": "x"}, headers=collector)
    assert refused.status_code == 403
    # a team's manager must be a manager
    bad = await client.post("/v1/teams", json={"name": "X", "manager": "anna"}, headers=manager)
    assert (bad.status_code, bad.json()["code"]) == (422, "not_a_manager")
    demoted = await client.put(
        "/v1/collectors/maria", json={"display_name": "M", "role": "collector"}, headers=manager
    )
    assert (demoted.status_code, demoted.json()["code"]) == (422, "manages_a_team")


async def test_a_portfolio_needs_known_collectors_and_a_backup_who_is_someone_else(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    await put_collector(client, manager, "anna")
    response = await client.post(
        "/v1/portfolios", json={"name": "P", "collector": "ghost", "backup": "anna"}, headers=manager
    )
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("collector", "unknown_collector")
    ]
    same = await client.post(
        "/v1/portfolios", json={"name": "P", "collector": "anna", "backup": "anna"}, headers=manager
    )
    assert [(e["field"], e["code"]) for e in same.json()["errors"]] == [("backup", "backup_is_owner")]
    portfolio = await new_portfolio(client, manager, "anna")
    await put_collector(client, manager, "ben")
    moved = await client.patch(
        f"/v1/portfolios/{portfolio}",
        json={"collector": "ben", "backup": "anna", "reason": "Anna to UK"},
        headers=manager,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["collector"], moved.json()["backup"]) == ("ben", "anna")


async def test_rules_of_one_priority_that_could_match_the_same_account_are_refused(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    await put_collector(client, manager, "anna")
    portfolio = await new_portfolio(client, manager, "anna")
    base = {"name": "DE01", "portfolio_id": portfolio, "priority": 10, "business_entity": "DE01"}
    assert (await client.post("/v1/assignment-rules", json=base, headers=manager)).status_code == 201
    async with book.session() as session:
        audit_before = len((await session.execute(select(plumbing.audit_log.c.seq))).all())
    overlapping = await client.post(
        "/v1/assignment-rules", json=base | {"name": "high risk", "risk_class": "high"}, headers=manager
    )
    assert overlapping.status_code == 422
    assert [(e["field"], e["code"]) for e in overlapping.json()["errors"]] == [
        ("priority", "overlapping_rule")
    ]
    async with book.session() as session:
        assert len((await session.execute(select(plumbing.audit_log.c.seq))).all()) == audit_before
    # another entity at the same priority cannot overlap; the same one at another priority may
    assert (
        await client.post("/v1/assignment-rules", json=base | {"business_entity": "UK01"}, headers=manager)
    ).status_code == 201
    assert (
        await client.post(
            "/v1/assignment-rules", json=base | {"priority": 5, "risk_class": "high"}, headers=manager
        )
    ).status_code == 201
    unknown = await client.post(
        "/v1/assignment-rules",
        json=base | {"portfolio_id": str(uuid.uuid4()), "priority": 99},
        headers=manager,
    )
    assert [e["code"] for e in unknown.json()["errors"]] == ["unknown_portfolio"]
    band = base | {
        "priority": 98,
        "balance_min": {"amount": "500.00", "currency": "EUR"},
        "balance_max": {"amount": "100.00", "currency": "EUR"},
    }
    assert [
        e["code"]
        for e in (await client.post("/v1/assignment-rules", json=band, headers=manager)).json()["errors"]
    ] == ["empty_band"]


async def test_an_account_is_placed_by_the_rules_when_it_arrives_and_when_its_risk_changes(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    await put_collector(client, manager, "anna")
    await put_collector(client, manager, "rita")
    general = await new_portfolio(client, manager, "anna")
    risky = await new_portfolio(client, manager, "rita")
    entity = f"E{uuid.uuid4().hex[:6]}"
    for body in (
        {"name": "entity", "portfolio_id": general, "priority": 50, "business_entity": entity},
        {"name": "very high risk", "portfolio_id": risky, "priority": 10, "risk_class": "very_high"},
    ):
        assert (await client.post("/v1/assignment-rules", json=body, headers=manager)).status_code == 201
    account = await book.account(entity=entity)
    placed = (await client.get(f"/v1/accounts/{account}/assignment", headers=manager)).json()
    assert (placed["portfolio_id"], placed["collector"], placed["source"]) == (general, "anna", "rule")

    await book.deliver(
        CreditReviewCompleted(
            review_id=uuid.uuid4(), customer_id=account, score=12, risk_class="very_high",
            recommended_limit={"amount": "0", "currency": "EUR"}, next_review_on="2999-01-01",
            reviewed_by="analyst",
        )
    )  # fmt: skip
    moved = (await client.get(f"/v1/accounts/{account}/assignment", headers=manager)).json()
    assert (moved["portfolio_id"], moved["collector"]) == (risky, "rita")
    announced = [
        e for e in await events(book, "ar.collections.AccountAssigned.v1") if e["customer_id"] == str(account)
    ]
    assert [(e["portfolio_id"], e["previous_portfolio_id"], e["source"]) for e in announced] == [
        (general, None, "rule"),
        (risky, general, "rule"),
    ]


async def test_a_manager_moves_an_account_by_hand_with_a_reason_and_the_rules_leave_it_alone(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    await put_collector(client, manager, "anna")
    await put_collector(client, manager, "ben")
    annas = await new_portfolio(client, manager, "anna")
    bens = await new_portfolio(client, manager, "ben")
    entity = f"E{uuid.uuid4().hex[:6]}"
    rule = {"name": "entity", "portfolio_id": annas, "priority": 50, "business_entity": entity}
    assert (await client.post("/v1/assignment-rules", json=rule, headers=manager)).status_code == 201
    account = await book.account(entity=entity)

    unknown = await client.post(
        f"/v1/accounts/{account}/assignment", json={"collector": "ghost", "reason": "x"}, headers=manager
    )
    assert (unknown.status_code, [e["code"] for e in unknown.json()["errors"]]) == (
        422,
        ["unknown_collector"],
    )
    no_reason = await client.post(
        f"/v1/accounts/{account}/assignment", json={"collector": "ben"}, headers=manager
    )
    assert no_reason.status_code == 422
    both = await client.post(
        f"/v1/accounts/{account}/assignment",
        json={"collector": "ben", "portfolio_id": bens, "reason": "x"},
        headers=manager,
    )
    assert [e["code"] for e in both.json()["errors"]] == ["portfolio_or_collector"]

    moved = await client.post(
        f"/v1/accounts/{account}/assignment",
        json={"collector": "ben", "reason": "Ben speaks Dutch"},
        headers=manager,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["portfolio_id"], moved.json()["source"]) == (bens, "manual")
    # a rule run leaves a hand-placed account where it is
    run = await client.post("/v1/assignment-runs", json={}, headers=manager)
    assert str(account) not in [m["customer_id"] for m in run.json()["moves"]]
    history = (await client.get(f"/v1/accounts/{account}/assignment-history", headers=manager)).json()[
        "items"
    ]
    assert [(h["to_portfolio_id"], h["source"], h["reason"], h["changed_by"]) for h in history] == [
        (bens, "manual", "Ben speaks Dutch", "collections-manager"),
        (annas, "rule", None, "collections-system"),
    ]
    async with book.session() as session:
        audited = (
            (
                await session.execute(
                    select(plumbing.audit_log.c.after).where(
                        plumbing.audit_log.c.entity_id == str(account),
                        plumbing.audit_log.c.action == "account.assigned",
                    )
                )
            )
            .scalars()
            .all()
        )
    assert {
        "portfolio_id": bens,
        "source": "manual",
        "rule_id": None,
        "reason": "Ben speaks Dutch",
    } in audited

    released = await client.delete(f"/v1/accounts/{account}/assignment", headers=manager)
    assert (released.json()["portfolio_id"], released.json()["source"]) == (annas, "rule")


async def test_a_collector_may_not_reassign_accounts(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book
) -> None:
    portfolio = await book.portfolio(await book.collector("collector-anna"))
    account = await book.account(portfolio_id=portfolio)
    response = await client.post(
        f"/v1/accounts/{account}/assignment",
        json={"collector": "collector-anna", "reason": "mine"},
        headers=collector,
    )
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")


async def test_attributes_set_by_a_manager_move_the_account_by_the_rules(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    await put_collector(client, manager, "kim")
    key_desk = await new_portfolio(client, manager, "kim")
    segment = f"key-{uuid.uuid4().hex[:6]}"
    rule = {
        "name": "key accounts",
        "portfolio_id": key_desk,
        "priority": 1,
        "attribute_key": "segment",
        "attribute_value": segment,
    }
    assert (await client.post("/v1/assignment-rules", json=rule, headers=manager)).status_code == 201
    account = await book.account()
    response = await client.put(
        f"/v1/accounts/{account}/attributes",
        json={"country": "NL", "attributes": {"segment": segment}},
        headers=manager,
    )
    assert response.status_code == 200, response.text
    assert response.json()["portfolio_id"] == key_desk
    dry = await client.post("/v1/assignment-runs", json={"dry_run": True}, headers=manager)
    assert dry.status_code == 200
    async with book.session() as session:
        history = (
            await session.scalars(select(AssignmentHistory).where(AssignmentHistory.customer_id == account))
        ).all()
    assert [h.to_portfolio_id for h in history][-1] == uuid.UUID(key_desk)
