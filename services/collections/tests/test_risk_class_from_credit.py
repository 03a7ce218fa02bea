"""The risk class of a customer's credit profile reaches the account: `CreditRiskClassChanged`
sets it (the highest profile version wins, an older change arriving late is ignored), a review's
class only stands in until the profile's is known, and the assignment rules place the account
again; over the real Kafka broker, a redelivered change is handled once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_collections.config import CollectionsSettings
from ar_collections.models import CreditProfile, plumbing
from ar_collections.testing import Book, consumer_on_kafka
from ar_shared.events.credit import CreditReviewCompleted, CreditRiskClassChanged
from ar_shared.events.envelope import CloudEvent
from ar_shared.testing.clock import TEST_CLOCK

pytestmark = pytest.mark.integration


def changed(customer_id: uuid.UUID, risk_class: str, version: int, previous: str | None = None) -> Any:
    return CreditRiskClassChanged(
        customer_id=customer_id, previous_risk_class=previous, risk_class=risk_class,
        profile_version=version, changed_by="credit-manager", reason="annual review",
        changed_at=TEST_CLOCK.now(),
    )  # fmt: skip


def reviewed(customer_id: uuid.UUID, risk_class: str, score: int) -> CreditReviewCompleted:
    return CreditReviewCompleted(
        review_id=uuid.uuid4(), customer_id=customer_id, score=score, risk_class=risk_class,
        recommended_limit={"amount": "0", "currency": "EUR"}, next_review_on=TEST_CLOCK.now().date(),
        reviewed_by="analyst",
    )  # fmt: skip


async def risk_class(client: httpx.AsyncClient, headers: dict[str, str], customer_id: uuid.UUID) -> Any:
    response = await client.get(f"/v1/accounts/{customer_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["credit"]["risk_class"]


async def rules_by_risk(client: httpx.AsyncClient, manager: dict[str, str], book: Book, entity: str) -> Any:
    """A general portfolio for the entity, and one for its very-high-risk accounts."""
    await book.collector("anna")
    await book.collector("rita")
    general, risky = await book.portfolio("anna"), await book.portfolio("rita")
    for body in (
        {"name": "entity", "portfolio_id": str(general), "priority": 50, "business_entity": entity},
        {"name": "very high risk", "portfolio_id": str(risky), "priority": 10, "risk_class": "very_high"},
    ):
        created = await client.post("/v1/assignment-rules", json=body, headers=manager)
        assert created.status_code == 201, created.text
    return str(general), str(risky)


async def portfolio_of(client: httpx.AsyncClient, manager: dict[str, str], customer_id: uuid.UUID) -> Any:
    return (await client.get(f"/v1/accounts/{customer_id}/assignment", headers=manager)).json()[
        "portfolio_id"
    ]


async def test_the_profiles_risk_class_reaches_the_account_and_moves_it_by_the_rules(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = f"E{uuid.uuid4().hex[:6]}"
    general, risky = await rules_by_risk(client, manager, book, entity)
    account = await book.account(entity=entity)
    assert await portfolio_of(client, manager, account) == general
    assert await risk_class(client, manager, account) is None

    await book.deliver(changed(account, "very_high", 1))
    assert await risk_class(client, manager, account) == "very_high"
    assert await portfolio_of(client, manager, account) == risky

    await book.deliver(changed(account, "low", 2, previous="very_high"))
    assert await risk_class(client, manager, account) == "low"
    assert await portfolio_of(client, manager, account) == general


async def test_an_older_change_arriving_late_does_not_overwrite_a_newer_one(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    account = await book.account()
    await book.deliver(changed(account, "high", 3, previous="medium"))
    await book.deliver(changed(account, "medium", 2, previous="low"))  # late
    assert await risk_class(client, manager, account) == "high"
    await book.deliver(changed(account, "medium", 3))  # the same version again: not newer
    assert await risk_class(client, manager, account) == "high"
    await book.deliver(changed(account, "low", 4, previous="high"))
    assert await risk_class(client, manager, account) == "low"


async def test_a_review_stands_in_only_until_the_profiles_class_is_known(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    account = await book.account()
    await book.deliver(reviewed(account, "high", 40))
    assert await risk_class(client, manager, account) == "high"  # no profile class yet
    await book.deliver(changed(account, "medium", 1))
    await book.deliver(reviewed(account, "very_high", 12))  # a recommendation, not the profile
    assert await risk_class(client, manager, account) == "medium"
    async with book.session() as session:
        profile = await session.get(CreditProfile, account)
        assert profile is not None
        assert (profile.score, profile.risk_class_version) == (12, 1)


async def test_risk_class_changes_arriving_on_kafka_are_handled_once_and_in_version_order(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    book: Book,
    collections_app: FastAPI,
    collections_settings: CollectionsSettings,
    unique: str,
) -> None:
    entity = f"K{unique[:7].upper()}"
    general, risky = await rules_by_risk(client, manager, book, entity)
    account = await book.account(entity=entity)
    to_very_high = CloudEvent.wrap(changed(account, "very_high", 2, previous="low"))
    async with consumer_on_kafka(collections_app, collections_settings, unique, "credit.events") as publish:
        await publish(CloudEvent.wrap(changed(account, "low", 1)), to_very_high)
        assert await risk_class(client, manager, account) == "very_high"
        assert await portfolio_of(client, manager, account) == risky
        async with book.session() as session:
            inbox = plumbing.inbox
            handled = await session.scalar(
                select(func.count()).select_from(inbox).where(inbox.c.event_id == to_very_high.id)
            )
        assert handled == 1

        # a late copy of the first change under a new event id, then the second one again
        await publish(CloudEvent.wrap(changed(account, "low", 1)), to_very_high)
        assert await risk_class(client, manager, account) == "very_high"
        assigned = await book.emitted(account, "AccountAssigned")
        assert [e["portfolio_id"] for e in assigned] == [general, risky]
